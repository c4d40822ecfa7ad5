import Foundation

/// The repository's root, found from this file.
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A helper server from Tests/Support (fake Twilio API, aiosmtpd sink) on 127.0.0.1: it prints its port and
/// stops when its standard input closes — when this object goes away, or the test process dies.
public final class LocalServer: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    public let port: Int

    public init(script: String, arguments: [String]) throws {
        let output = Pipe()
        // The system Python: where apt installs aiosmtpd (a pyenv python3 earlier on PATH would not have it).
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, repositoryRoot.appendingPathComponent("Tests/Support/\(script)").path] + arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw NSError(
                domain: "LocalServer", code: 1,
                userInfo: [NSLocalizedDescriptionKey: "\(script) did not start (is python3 with aiosmtpd installed?)"])
        }
        self.port = port
    }

    public func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }
}

public func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("afterdesk-test-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs a command, returning its exit status and output.
@discardableResult
public func shell(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = arguments
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    if let input {
        let inPipe = Pipe()
        p.standardInput = inPipe
        try p.run()
        inPipe.fileHandleForWriting.write(Data(input.utf8))
        try inPipe.fileHandleForWriting.close()
    } else {
        try p.run()
    }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
