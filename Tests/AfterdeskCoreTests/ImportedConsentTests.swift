import AfterdeskCore
import Foundation
import Testing

/// Which consent wins when an import brings a flag: the ledger's latest entry, else the flag.
@Suite struct ImportedConsentTests {
    @Test func theLedgerWinsOverTheFlagAndOnlyARestoreGrants() {
        for flag in [false, true] {
            #expect(ImportedConsent.granted(flag: flag, latest: nil) == flag)
            for source in OptOutSource.allCases {
                #expect(ImportedConsent.granted(flag: flag, latest: source) == (source == .start || source == .consentRestore), "\(source)")
            }
        }
        #expect(!ImportedConsent.granted(flag: true, latest: .dmsBlock))
        #expect(!ImportedConsent.granted(flag: true, latest: .staffOutcome))
        #expect(ImportedConsent.granted(flag: false, latest: .consentRestore))
    }

    @Test func aChangedChannelTakesTheImportsSourceAndAnUnchangedOneKeepsItsOwn() {
        let stopped = ChannelConsent(granted: false, source: "sms STOP SM1", at: "2026-11-01T00:00:00Z")
        #expect(ImportedConsent.refreshed(stopped, flag: true, latest: .keyword, source: "f.csv:2", at: "now") == stopped)
        #expect(
            ImportedConsent.refreshed(stopped, flag: true, latest: nil, source: "f.csv:2", at: "now")
                == ChannelConsent(granted: true, source: "f.csv:2", at: "now"))
        let granted = ChannelConsent(granted: true)
        #expect(
            ImportedConsent.refreshed(granted, flag: true, latest: .dmsBlock, source: "f.csv:3", at: "now")
                == ChannelConsent(granted: false, source: "f.csv:3", at: "now"))
        #expect(ImportedConsent.refreshed(granted, flag: false, latest: .start, source: "f.csv:3", at: "now") == granted)
    }
}
