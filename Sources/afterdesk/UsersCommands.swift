import AfterdeskCore
import AfterdeskServer
import AfterdeskStorage
import AfterdeskWorkflows
import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "The people who hold API tokens (and, with the web pages, sign in).",
        discussion: "Roles: fi_manager, sales (its own tasks only: give --staff), finance_director, admin. See docs/security.md.",
        subcommands: [Add.self, List.self, Disable.self, Passwd.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "User name (one word, e.g. kliu).") var name: String
        @Option(help: "fi_manager, sales, finance_director or admin.") var role: String
        @Option(help: "Staff code whose tasks a sales user works (as in `afterdesk staff list`).") var staff: String?
        @Option(
            name: .customLong("store"),
            help: "A store the user works in; repeat for several (a sales user: its staff member's store, by default).")
        var stores: [String] = []
        @Flag(help: "A user of the whole group: every store, today's and those added later.") var group = false

        func validate() throws {
            guard Role(rawValue: role) != nil else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if role == Role.sales.rawValue && staff == nil {
                throw ValidationError("a sales user needs --staff CODE: the staff member whose tasks it works")
            }
            if group && !stores.isEmpty { throw ValidationError("give --store CODE (one or more) or --group, not both") }
            if group && role == Role.sales.rawValue {
                throw ValidationError("a sales user works in its staff member's store, not the group")
            }
        }

        func run() async throws {
            guard let role = Role(rawValue: role) else { return }
            let db = try await database.open()
            // In a group, whose a user is must be said: no default hands a new user every store of the group.
            let known = try await db.stores().map(\.code)
            if known.count > 1, stores.isEmpty, !group, role != .sales {
                throw ValidationError(
                    "this database holds \(known.count) stores (\(known.joined(separator: ", "))): give --store CODE (repeat for several) or --group"
                )
            }
            let user = try NewUser.checked(name: name, role: role, staffCode: staff, stores: stores)
            let id = try await db.addUser(user, passwordHash: nil, now: CommandClock.now())
            let scope =
                user.stores.isEmpty ? (role == .sales ? "its staff member's store" : "every store") : user.stores.joined(separator: ", ")
            print("User \(name) (\(role.rawValue), \(scope)) added: id \(id). Give them a token with `afterdesk tokens add \(name)`.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "JSON.") var json = false

        func run() async throws {
            let users = try await database.open().users()
            if json {
                print(try jsonString(users))
                return
            }
            if users.isEmpty {
                print("No users. Add one with `afterdesk users add NAME --role admin`.")
                return
            }
            for u in users {
                print(
                    "\(u.name)  \(u.role.rawValue)\(u.staff.map { "  staff \($0)" } ?? "")  \(u.stores.isEmpty ? "" : u.stores.count == 1 ? "store " : "stores ")\(u.storesText)"
                        + "  \(u.active ? "active" : "disabled")  \(u.tokens) token\(u.tokens == 1 ? "" : "s")")
            }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password for the web pages (bcrypt).",
            discussion: "On a terminal it asks twice, without echo; otherwise it reads the password from the first line of standard input.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "User name.") var name: String

        func run() async throws {
            let password: String
            if isatty(STDIN_FILENO) == 1 {
                guard let first = getpass("New password for \(name): ").map({ String(cString: $0) }),
                    let again = getpass("Again: ").map({ String(cString: $0) })
                else { throw ValidationError("no password read") }
                guard first == again else { throw ValidationError("the two passwords differ") }
                password = first
            } else {
                password = readLine(strippingNewline: true) ?? ""
            }
            try Passwords.check(password, user: name)
            let db = try await database.open()
            guard try await db.users().contains(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw StoreError.notFound("no user named \(name) (add one with afterdesk users add)")
            }
            try await db.setPassword(name: name, bcryptHash: Passwords.hash(password))
            print("Password of \(name) set. They sign in at the server's /login.")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user: their tokens stop working at once.")
        @OptionGroup var database: DatabaseOptions
        @Argument var name: String

        func run() async throws {
            try await database.open().disableUser(name: name, now: CommandClock.now())
            print("User \(name) disabled.")
        }
    }
}

struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "API tokens: `Authorization: Bearer <token>` on every /api request.",
        subcommands: [Add.self, List.self, Revoke.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a token for a user; it is printed once and stored only as a hash.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "User name.") var user: String
        @Option(help: "Days until the token expires (default: never).") var expires: Int?

        func validate() throws {
            if let expires, !(1...3_650).contains(expires) { throw ValidationError("--expires takes 1 to 3650 days") }
        }

        func run() async throws {
            var rng = SystemRandomNumberGenerator()
            let made = APITokens.generate(using: &rng)
            let now = CommandClock.now()
            let expiresAt = expires.map { now.addingTimeInterval(Double($0) * 86_400) }
            let id = try await database.open().addToken(user: user, tokenHash: made.hash, label: made.label, expiresAt: expiresAt, now: now)
            printError(
                "Token \(id) for \(user)\(expiresAt.map { ", expires \(Instant.iso8601($0))" } ?? ""). It is shown once: keep it now.")
            print(made.token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (their first characters, never the tokens).")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "JSON.") var json = false

        func run() async throws {
            let tokens = try await database.open().tokens()
            if json {
                print(try jsonString(tokens))
                return
            }
            if tokens.isEmpty {
                print("No tokens.")
                return
            }
            for t in tokens {
                let state =
                    t.revokedAt.map { "revoked \(Instant.iso8601($0))" } ?? t.expiresAt.map { "expires \(Instant.iso8601($0))" }
                    ?? "no expiry"
                print("\(t.id)  \(t.user)  \(t.label)…  created \(Instant.iso8601(t.createdAt))  \(state)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token: refused from the next request on.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Token id (from `tokens list`).") var id: Int64

        func run() async throws {
            try await database.open().revokeToken(id: id, now: CommandClock.now())
            print("Token \(id) revoked.")
        }
    }
}
