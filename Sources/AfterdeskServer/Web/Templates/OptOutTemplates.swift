extension WebTemplates {
    static let optOuts = """
        {{#layout}}{{> head}}{{/layout}}
        <h1>Opt-outs</h1>
        <p class="muted">The ledger is append-only: no import, flag or default turns a channel back on. Only the customer's START or consent recorded below with its evidence restores one.</p>
        {{#error}}<p class="error" role="alert">{{.}}</p>{{/error}}
        <form method="get" action="/admin/opt-outs" class="card"><label>Phone number or email address <input name="address" value="{{address}}" maxlength="254"></label> <button type="submit">Show its history</button></form>
        {{#address}}<section class="card"><h2>History of {{.}}</h2>
        <div class="scroll" tabindex="0" role="region" aria-label="Contact history"><table id="history"><thead><tr><th>channel</th><th>what</th><th>on</th><th>by</th><th>kept as</th></tr></thead><tbody>
        {{#history}}<tr><td>{{channel}}</td><td>{{status}}</td><td>{{on}}</td><td>{{by}}</td><td>{{reference}}</td></tr>{{/history}}
        {{^history}}<tr><td colspan="5">Nothing recorded: not stopped.</td></tr>{{/history}}
        </tbody></table></div></section>{{/address}}
        <div class="scroll card" tabindex="0" role="region" aria-label="Opt-outs"><table id="opt-outs"><thead><tr><th>address</th><th>channel</th><th>since</th><th>by</th><th>kept as</th></tr></thead><tbody>
        {{#entries}}<tr><td><a href="/admin/opt-outs?address={{address}}">{{address}}</a></td><td>{{channel}}</td><td>{{on}}</td><td>{{by}}</td><td>{{reference}}</td></tr>{{/entries}}
        {{^entries}}<tr><td colspan="5">No one is stopped.</td></tr>{{/entries}}
        </tbody></table></div>
        <section class="card"><h2>Stop an address</h2>
        <form method="post" action="/admin/opt-outs"><input type="hidden" name="csrf" value="{{layout.csrf}}"><input type="hidden" name="action" value="stop">
        <label>Phone number or email address <input name="address" required maxlength="254"></label>
        <label>Channel <select name="channel"><option value="">every channel of the address</option><option value="sms">sms</option><option value="phone">phone (calls)</option><option value="email">email</option></select></label>
        <label>Why <input name="reason" maxlength="200" placeholder="asked at the service desk"></label>
        <button type="submit" class="primary">Stop</button></form></section>
        <section class="card"><h2>Record consent with its evidence</h2>
        <form method="post" action="/admin/opt-outs"><input type="hidden" name="csrf" value="{{layout.csrf}}"><input type="hidden" name="action" value="consent">
        <label>Phone number or email address <input name="address" required maxlength="254"></label>
        <label>Channel <select name="channel" required><option value="sms">sms</option><option value="phone">phone (calls)</option><option value="email">email</option></select></label>
        <label>Evidence (what the customer signed or wrote) <input name="evidence" required minlength="3" maxlength="500"></label>
        <label>Date of the consent <input type="date" name="date" required max="{{today}}"></label>
        <button type="submit">Record consent: restores the channel</button></form></section>
        {{> foot}}
        """
}
