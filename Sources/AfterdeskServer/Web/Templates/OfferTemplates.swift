extension WebTemplates {
    /// The customer's pages (`/o/{token}`): the dealership's, not Afterdesk's; no navigation, no script, nothing
    /// beyond the first name, the vehicle and the last four characters of the VIN.
    static var offerTemplates: [(String, String)] { [("offer_head", offerHead), ("offer", offer), ("offer_gone", offerGone)] }

    static let offerHead = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">
        <title>{{title}} · {{dealership}}</title><link rel="stylesheet" href="/static/app.css"></head>
        <body class="customer">
        <header class="top"><span class="brand">{{dealership}}</span>{{#phone}}<a href="tel:{{phoneDigits}}">{{phone}}</a>{{/phone}}</header>
        <main class="offer">
        """

    static let offer = """
        {{#head}}{{> offer_head}}{{/head}}
        {{#done}}<p class="flash" role="status">{{.}}</p>{{/done}}
        <section class="card">
        <p>Hi {{firstName}},</p>
        <h1>{{productName}} for your {{vehicle}}</h1>
        <p class="muted">VIN ending {{vinLast4}}</p>
        {{#reason}}<h2>Why now</h2><p>{{.}}</p>{{/reason}}
        {{#coverage}}<h2>What it covers</h2><p>{{.}}</p>{{/coverage}}
        <dl class="terms">
        <dt>{{priceLabel}}</dt><dd class="big">{{price}}</dd><dd class="muted">{{priceNote}}</dd>
        {{#until}}<dt>Available until</dt><dd>{{.}}</dd>{{/until}}
        {{#provider}}<dt>Provided by</dt><dd>{{.}}</dd>{{/provider}}
        </dl>
        </section>
        {{#showButtons}}
        <section class="card actions">
        <form method="post" action="{{action}}"><input type="hidden" name="action" value="interested">
        <button type="submit" class="primary">I'm interested</button></form>
        <form method="post" action="{{action}}"><input type="hidden" name="action" value="call_me">
        <button type="submit" class="primary">Call me</button></form>
        <form method="post" action="{{action}}"><input type="hidden" name="action" value="not_now">
        <button type="submit">Not now</button></form>
        <p class="muted">"I'm interested" and "Call me" ask {{dealership}} to call you within an hour while the store is open
        ({{hours}}). "Not now" means we will not bring this up again for {{pauseDays}} days.</p>
        </section>
        {{/showButtons}}
        <p class="fine">{{#unsubscribeURL}}<a href="{{.}}">Unsubscribe from emails</a>. {{/unsubscribeURL}}{{#sms}}To stop texts, reply STOP to any of our messages. {{/sms}}
        {{dealership}}, {{address}}</p>
        </main>
        </body>
        </html>
        """

    static let offerGone = """
        {{#head}}{{> offer_head}}{{/head}}
        {{#done}}<p class="flash" role="status">{{.}}</p>{{/done}}
        <section class="card">
        <h1>{{heading}}</h1>
        <p>{{message}}</p>
        {{#phone}}<p><a class="button primary" href="tel:{{phoneDigits}}">Call {{phone}}</a></p>{{/phone}}
        {{#action}}<form method="post" action="{{.}}"><input type="hidden" name="action" value="new_link">
        <button type="submit">Send me a new link</button></form>{{/action}}
        </section>
        <p class="fine">{{dealership}}, {{address}}</p>
        </main>
        </body>
        </html>
        """
}
