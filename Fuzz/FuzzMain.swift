// The libFuzzer entry point of every fuzz target (scripts/fuzz.sh builds it against AfterdeskCore with
// -sanitize=fuzzer,address). The target is chosen by AFTERDESK_FUZZ_TARGET: csv, decode-canonical, decode-cdk,
// decode-dealervault, json or menu (FuzzHarness.Target).
import AfterdeskCore
import Foundation

enum Selected {
    static let target: FuzzHarness.Target = {
        let name = ProcessInfo.processInfo.environment["AFTERDESK_FUZZ_TARGET"] ?? ""
        guard let t = FuzzHarness.Target(rawValue: name) else {
            FileHandle.standardError.write(
                Data("AFTERDESK_FUZZ_TARGET must be one of \(FuzzHarness.Target.allCases.map(\.rawValue))\n".utf8))
            exit(64)
        }
        return t
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzHarness.run(Selected.target, bytes)
    return 0
}
