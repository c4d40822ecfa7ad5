extension WebTemplates {
    static let deals = """
        {{#layout}}{{> head}}{{/layout}}
        <h1>Deals</h1>
        <form method="get" action="/deals" class="filters">
        <label>Search <input name="q" value="{{q}}" placeholder="deal number, name or VIN" size="28"></label>
        <label>From <input type="date" name="from" value="{{from}}"></label>
        <label>To <input type="date" name="to" value="{{to}}"></label>
        <button type="submit">Search</button>
        </form>
        {{^hasRows}}<p class="empty">No deal matches.</p>{{/hasRows}}
        {{#hasRows}}
        <p class="muted">Deals {{first}} to {{last}}, the most recent contract first.</p>
        <div class="scroll" tabindex="0" role="region" aria-label="Deals"><table id="deals"><thead><tr><th>deal</th><th>contract</th><th>customer</th><th>vehicle</th><th>declined</th><th>sold</th></tr></thead><tbody>
        {{#rows}}<tr><td><a href="{{href}}">{{number}}</a> <span class="muted">{{store}}</span>{{#unwound}} <span class="late">unwound</span>{{/unwound}}</td><td>{{date}}</td><td>{{buyer}}</td><td>{{vehicle}}</td><td>{{declined}}</td><td>{{sold}}</td></tr>{{/rows}}
        </tbody></table></div>
        <p class="pager">{{#newer}}<a class="button" href="{{.}}">← Newer</a>{{/newer}} {{#older}}<a class="button" href="{{.}}">Older →</a>{{/older}}</p>
        {{/hasRows}}
        {{> foot}}
        """

    static let deal = """
        {{#layout}}{{> head}}{{/layout}}
        <p class="back"><a href="/deals">← Deals</a></p>
        <h1>{{title}}</h1>
        <section class="card"><dl class="facts">{{#facts}}<dt>{{label}}</dt><dd>{{value}}</dd>{{/facts}}</dl></section>
        <section class="card">
        <h2>Products</h2>
        {{#products}}
        <div class="product">
        <h3>{{name}}: {{outcome}}{{#price}} <span class="price">{{.}}</span>{{/price}}</h3>
        {{#reason}}<p class="muted">Declined {{.}}.</p>{{/reason}}
        {{#holdout}}<p class="muted">Held out: this deal gets no follow-up, so the report can compare.</p>{{/holdout}}
        {{#eligibleUntil}}<p class="muted">Can be bought until {{.}}.</p>{{/eligibleUntil}}
        {{#hasClasses}}<p class="muted">Plan classes, best first:</p><ul class="points">{{#classes}}<li>{{.}}</li>{{/classes}}</ul>{{/hasClasses}}
        {{#note}}<p class="muted">{{.}}</p>{{/note}}
        {{#hasTouches}}<ul class="points">{{#touches}}<li><strong>{{due}}</strong> {{action}} ({{status}}): {{reason}}</li>{{/touches}}</ul>{{/hasTouches}}
        </div>
        {{/products}}
        {{#plannedAt}}<p class="muted">Plan computed as of {{.}}.</p>{{/plannedAt}}
        </section>
        {{#warrantyChart}}<section class="card"><h2>Factory warranty</h2><div class="scroll" tabindex="0" role="region" aria-label="Factory warranty chart">{{{.}}}</div></section>{{/warrantyChart}}
        {{#loanChart}}<section class="card"><h2>Loan against value</h2><div class="scroll" tabindex="0" role="region" aria-label="Loan against value chart">{{{.}}}</div></section>{{/loanChart}}
        {{#hasEvents}}<section class="card"><h2>Since the desk</h2><ul class="points">{{#events}}<li>{{date}}: {{text}}</li>{{/events}}</ul></section>{{/hasEvents}}
        {{> foot}}
        """
}
