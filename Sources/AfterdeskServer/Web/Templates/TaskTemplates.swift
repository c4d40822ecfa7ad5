extension WebTemplates {
    static let tasks = """
        {{#layout}}{{> head}}{{/layout}}
        <h1>Tasks</h1>
        {{#empty}}<p class="empty">Nothing to do right now. A task appears here when a follow-up call is due.</p>{{/empty}}
        {{#sections}}
        <section class="queue" id="{{id}}">
        <h2>{{title}} <span class="count">{{count}}</span></h2>
        <ul class="tasks">
        {{#rows}}<li{{#overdue}} class="overdue"{{/overdue}}><a href="{{href}}">
        <span class="who"><strong>{{customer}}</strong>{{#vehicle}}<span class="veh">{{.}}</span>{{/vehicle}}</span>
        <span class="what"><span class="prod">{{products}}</span><span class="why">{{why}}</span></span>
        <span class="due">{{due}}{{#assignee}} · {{.}}{{/assignee}}</span></a></li>
        {{/rows}}
        </ul>
        </section>
        {{/sections}}
        {{> foot}}
        """

    static let task = """
        {{#layout}}{{> head}}{{/layout}}
        <p class="back"><a href="/tasks">← Tasks</a></p>
        <h1>{{customer}}</h1>
        <p class="muted">{{vehicle}} · VIN …{{vinTail}} · {{#open}}{{#overdue}}<strong class="late">overdue</strong>, {{/overdue}}due {{due}}{{/open}}{{^open}}done: {{outcome}}{{/open}}{{#assignee}} · {{.}}{{/assignee}}</p>
        <div class="contact">
        {{#tel}}<a class="button primary" href="{{.}}">Call {{phone}}</a>{{/tel}}
        {{#textBox}}<a class="button" href="#text">Text</a>{{/textBox}}
        {{#noSMSConsent}}<span class="muted nosms">No consent to text: call instead.</span>{{/noSMSConsent}}
        {{#email}}<a class="button" href="mailto:{{.}}">Email</a>{{/email}}
        {{^tel}}<span class="muted">No phone number on file.</span>{{/tel}}
        </div>
        {{#callingWindow}}<p class="muted calling">Calling window today: {{.}}</p>{{/callingWindow}}
        {{#items}}
        <section class="card">
        <h2>{{product}}{{#quoted}} <span class="price">{{.}}</span>{{/quoted}}</h2>
        <p class="why">{{why}}</p>
        {{#reason}}<p class="muted">Declined at the desk {{.}} (deal {{dealNumber}}).</p>{{/reason}}
        <ul class="points">{{#points}}<li>{{.}}</li>{{/points}}</ul>
        </section>
        {{/items}}
        {{#textBox}}
        <section class="card" id="text">
        <h2>Text the customer</h2>
        {{#error}}<p class="error" role="alert">{{.}}</p>{{/error}}
        {{#note}}<p class="flash" role="status">{{.}}</p>{{/note}}
        <form method="post" action="/tasks/{{id}}/text" class="compose">
        <input type="hidden" name="csrf" value="{{layout.csrf}}">
        <input type="hidden" name="nonce" value="{{nonce}}">
        <label for="text-body">Message</label>
        <textarea id="text-body" name="body" rows="4" maxlength="1000" required>{{draft}}</textarea>
        <p class="muted">Sent from the store's number and signed with your name. The customer's opt-outs, contact hours and message limits are checked first; their replies appear under Messages.</p>
        <button type="submit" class="primary">Send text</button>
        </form>
        <p class="presets">Start from: {{#presets}}<a href="{{value}}">{{label}}</a> {{/presets}}</p>
        </section>
        {{/textBox}}
        {{#open}}
        <section class="card">
        <h2>Outcome</h2>
        {{#error}}<p class="error" role="alert">{{.}}</p>{{/error}}
        <form method="post" action="/tasks/{{id}}/outcome" class="outcome">
        <input type="hidden" name="csrf" value="{{layout.csrf}}">
        <fieldset class="sale"><legend>Sold</legend>
        {{#severalItems}}<label>Product <select name="product">{{#products}}<option value="{{value}}">{{label}}</option>{{/products}}</select></label>{{/severalItems}}
        <label>Price <input name="price" inputmode="decimal" value="{{soldPrice}}" autocomplete="off"></label>
        <label>Cost <input name="cost" inputmode="decimal" autocomplete="off"></label>
        <button type="submit" name="outcome" value="sold" class="primary">Sold</button>
        </fieldset>
        <div class="outcomes">
        {{#outcomes}}<button type="submit" name="outcome" value="{{value}}">{{label}}</button>{{/outcomes}}
        </div>
        <label>Note <input name="note" maxlength="500" placeholder="Optional; the reason, for won't do"></label>
        <button type="submit" name="outcome" value="wont_do" class="link">Won't do (say why in the note)</button>
        </form>
        <form method="post" action="/tasks/{{id}}/reschedule" class="later">
        <input type="hidden" name="csrf" value="{{layout.csrf}}">
        <span>Call later:</span>
        <button type="submit" name="when" value="tomorrow">Tomorrow</button>
        <button type="submit" name="when" value="next_week">Next week</button>
        </form>
        </section>
        {{/open}}
        <section class="card" id="messages">
        <h2>Messages</h2>
        {{#noHistory}}<p class="muted">No messages yet.</p>{{/noHistory}}
        <ol class="history">
        {{#history}}<li class="{{#inbound}}in{{/inbound}}{{^inbound}}out{{/inbound}}"><span class="when">{{at}} · {{channel}}{{^inbound}} · {{status}}{{/inbound}}</span>{{text}}</li>{{/history}}
        </ol>
        </section>
        {{> foot}}
        """

    static let dashboard = """
        {{#layout}}{{> head}}{{/layout}}
        <h1>Dashboard</h1>
        <form method="get" action="/dashboard" class="filters">
        <label>From <input type="date" name="from" value="{{from}}"></label>
        <label>To <input type="date" name="to" value="{{to}}"></label>
        <label>Store <input name="store" value="{{store}}" size="8" placeholder="all"></label>
        <label>By <select name="by">{{#groupings}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/groupings}}</select></label>
        <button type="submit">Show</button>
        <a class="button" href="{{csvHref}}">Download CSV</a>
        </form>
        <p class="headline{{#tooSmall}} small{{/tooSmall}}" id="verdict">{{headline}}</p>
        <div class="tiles">
        {{#tiles}}<div class="tile"><span class="label">{{label}}</span><span class="value">{{value}}</span>{{#note}}<span class="note">{{.}}</span>{{/note}}</div>{{/tiles}}
        </div>
        <section class="card"><h2>Margin by month</h2><div class="scroll" tabindex="0" role="region" aria-label="Margin by month chart">{{{monthChart}}}</div></section>
        <section class="card"><h2>Recovery rate by product</h2><div class="scroll" tabindex="0" role="region" aria-label="Recovery rate by product chart">{{{productChart}}}</div></section>
        <section class="card">
        <h2>By {{groupLabel}}</h2>
        <div class="scroll" tabindex="0" role="region" aria-label="Results by {{groupLabel}}"><table>
        <thead><tr><th>{{groupLabel}}</th><th>declines</th><th>treated</th><th>held out</th><th>net</th><th>incremental (95% interval)</th></tr></thead>
        <tbody>
        {{#rows}}<tr><td>{{key}}</td><td class="num">{{declines}}</td><td class="num">{{treatedRate}}</td><td class="num">{{holdoutRate}}</td><td class="num">{{net}}</td><td>{{incremental}}</td></tr>{{/rows}}
        </tbody></table></div>
        </section>
        {{#hasSales}}
        <section class="card">
        <h2>Latest sales after the desk</h2>
        <div class="scroll" tabindex="0" role="region" aria-label="Latest sales"><table id="sales"><thead><tr><th>deal</th><th>product</th><th>sold</th><th>price</th><th>cost</th><th>margin</th><th>from</th><th>in the report</th></tr></thead><tbody>
        {{#sales}}<tr><td>{{deal}}</td><td>{{product}}</td><td>{{soldOn}}</td><td class="num">{{price}}</td><td class="num">{{cost}}</td><td class="num">{{margin}}</td><td>{{source}}</td><td>{{counted}}</td></tr>{{/sales}}
        </tbody></table></div>
        </section>
        {{/hasSales}}
        <p class="muted">Declines on deals contracted {{from}} to {{to}}, as of {{asOf}}. A sale counts within {{attributionDays}} days of the contract; {{holdoutPercent}}% of deals are held out. Every figure is defined in docs/reporting.md.</p>
        {{> foot}}
        """
}
