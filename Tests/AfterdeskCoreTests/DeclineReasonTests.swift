import AfterdeskCore
import Testing

/// Decline reasons in words: every standard code has a phrase a person reads, never the code itself.
@Suite struct DeclineReasonTests {
    @Test func everyStandardCodeHasWords() {
        #expect(DeclineReason.known == ["payment", "price", "covered", "think", "other"])
        for code in DeclineReason.known {
            let words = DeclineReason.phrase(code)
            #expect(words != code)
            #expect(words.hasPrefix("because ") || words.hasPrefix("for "), "\(code): \(words)")
        }
    }

    @Test func theCodesReadAsSentences() {
        #expect("Declined \(DeclineReason.phrase("think"))." == "Declined because they wanted to think it over.")
        #expect(DeclineReason.phrase("payment") == "because of the payment")
        #expect(DeclineReason.phrase(" Covered ") == "because they felt covered already")
        #expect(DeclineReason.phrase("other") == "for another reason")
    }

    @Test func freeTextIsQuotedAsWritten() {
        #expect(DeclineReason.phrase("spouse said no") == "because: \u{201C}spouse said no\u{201D}")
        #expect(DeclineReason.phrase("  ") == "for another reason")
    }
}
