import Foundation

/// PostgreSQL's standard password file, as libpq reads it: `PGPASSFILE`, else `~/.pgpass`; one
/// `host:port:database:user:password` a line, `*` matching any value in the first four fields, `\:` and `\\` escaping a
/// colon and a backslash, `#` starting a comment line; the first line that matches wins. The file is used only when it
/// is a regular file that its owner alone may read (mode 0600 or stricter), as libpq does: another user's readable
/// file of passwords is ignored.
public enum PGPass {
    /// What a line is matched against: the connection's host, port, database and user.
    public struct Target: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var database: String
        public var user: String

        public init(host: String, port: Int, database: String, user: String) {
            self.host = host
            self.port = port
            self.database = database
            self.user = user
        }
    }

    /// The password the file's `text` holds for `target`: the first matching line's, or nil.
    public static func password(in text: String, for target: Target) -> String? {
        let wanted = [target.host, String(target.port), target.database, target.user]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            guard let fields = fields(of: String(line)) else { continue }
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// The five fields of a line, unescaped (nil: not five; the password keeps any further colons).
    static func fields(of line: String) -> [String]? {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for c in line {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        fields.append(current)
        return fields.count == 5 ? fields : nil
    }

    /// The password file's path: `PGPASSFILE`, else `.pgpass` in `HOME` (nil: neither is set).
    public static func path(environment: [String: String]) -> String? {
        if let file = environment["PGPASSFILE"], !file.isEmpty { return file }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return (home as NSString).appendingPathComponent(".pgpass")
    }

    /// The file's text when it may be used: a regular file (a symbolic link followed, as libpq does) with no access
    /// for its group or others; nil otherwise, or when it cannot be read. One others may read is not used, and `warn`
    /// says so (as psql does), naming the file and never its content.
    public static func usableText(at path: String, warn: (String) -> Void = PGPass.warnOnStandardError) -> String? {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: resolved),
            attributes[.type] as? FileAttributeType == .typeRegular,
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue
        else { return nil }
        guard mode & 0o077 == 0 else {
            warn("warning: the password file \(path) may be read by others, so it is not used: chmod 600 \(path)")
            return nil
        }
        return try? String(contentsOfFile: resolved, encoding: .utf8)
    }

    /// Writes a warning line to standard error.
    public static func warnOnStandardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// The password for `target` from the environment's password file, or nil.
    public static func password(
        for target: Target, environment: [String: String], warn: (String) -> Void = PGPass.warnOnStandardError
    ) -> String? {
        guard let path = path(environment: environment), let text = usableText(at: path, warn: warn) else { return nil }
        return password(in: text, for: target)
    }
}
