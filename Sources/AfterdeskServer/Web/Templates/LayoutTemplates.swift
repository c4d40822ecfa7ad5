/// The page templates (Mustache), compiled into the server so a deployed binary cannot lose them; parsed and checked
/// when the application is built (Pages.load). `{{x}}` escapes HTML; only server-drawn SVG uses `{{{x}}}`.
enum WebTemplates {
    static let pages = ["login", "tasks", "task", "dashboard", "error", "offer", "offer_gone"] + moreTemplates.map(\.0)

    static var all: [(String, String)] {
        [
            ("head", head), ("foot", foot), ("login", login), ("error", error), ("tasks", tasks), ("task", task),
            ("dashboard", dashboard),
        ] + moreTemplates + offerTemplates
    }

    static let head = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Afterdesk</title><link rel="stylesheet" href="/static/app.css">
        {{#refresh}}<meta http-equiv="refresh" content="{{.}}">{{/refresh}}</head>
        <body>
        <header class="top"><a class="brand" href="/">Afterdesk</a>
        {{#userName}}<nav>{{#nav}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a>{{/nav}}</nav>
        <form method="post" action="/logout" class="signout"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" class="link">Sign out {{.}}</button></form>{{/userName}}
        </header>
        <main>
        {{#flash}}<p class="flash" role="status">{{.}}</p>{{/flash}}
        """

    static let foot = """
        </main>
        <footer>Afterdesk · follow-up of declined F&amp;I products</footer>
        </body>
        </html>
        """

    static let login = """
        {{#layout}}{{> head}}{{/layout}}
        <section class="card narrow">
        <h1>Sign in</h1>
        {{#error}}<p class="error" role="alert">{{.}}</p>{{/error}}
        <form method="post" action="/login">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="next" value="{{next}}">
        <label>User name <input name="username" autocomplete="username" autocapitalize="none" required value="{{username}}"></label>
        <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
        <button type="submit" class="primary">Sign in</button>
        </form>
        </section>
        {{> foot}}
        """

    static let error = """
        {{#layout}}{{> head}}{{/layout}}
        <section class="card narrow">
        <h1>{{heading}}</h1>
        <p>{{message}}</p>
        <p class="muted">Error {{status}}. <a href="/">Back to your start page</a></p>
        </section>
        {{> foot}}
        """
}
