extension WebTemplates {
    static let menu = """
        {{#layout}}{{> head}}{{/layout}}
        <h1>Menu in force</h1>
        <p class="muted">{{dealership}} · {{timeZone}} · {{holdoutPercent}}% of deals held out · a sale counts within {{attributionDays}} days of the contract</p>
        <div class="scroll card" tabindex="0" role="region" aria-label="Menu products"><table><thead><tr><th>code</th><th>product</th><th>retail</th><th>dealer cost</th><th>can be bought</th><th>timed from</th><th>touches</th></tr></thead><tbody>
        {{#products}}<tr><td>{{code}}</td><td>{{name}}</td><td class="num">{{price}}</td><td class="num">{{cost}}</td><td>{{window}}</td><td>{{anchor}}</td><td>{{touches}}</td></tr>{{/products}}
        </tbody></table></div>
        {{#source}}<details class="card"><summary>The menu file</summary><pre>{{.}}</pre></details>{{/source}}
        <p class="muted">Change it with <code>afterdesk menu check FILE</code> and the import's <code>--menu</code>; see docs/menus.md.</p>
        {{> foot}}
        """

    static let admin = """
        {{#layout}}{{> head}}{{/layout}}
        <h1>Users</h1>
        {{#error}}<p class="error" role="alert">{{.}}</p>{{/error}}
        {{#newToken}}<p class="flash" role="status">New API token, shown once: copy it now. <code id="new-token">{{.}}</code></p>{{/newToken}}
        <div class="scroll card" tabindex="0" role="region" aria-label="Users"><table id="users"><thead><tr><th>user</th><th>role</th><th>staff</th><th>store</th><th>status</th><th>tokens</th></tr></thead><tbody>
        {{#users}}<tr><td>{{name}}</td><td>{{role}}</td><td>{{staff}}</td><td>{{store}}</td><td>{{#active}}active{{/active}}{{^active}}disabled{{/active}}{{^hasPassword}}, no password{{/hasPassword}}</td><td class="num">{{tokens}}</td></tr>{{/users}}
        </tbody></table></div>
        <section class="card"><h2>Add a user</h2>
        <form method="post" action="/admin/users"><input type="hidden" name="csrf" value="{{layout.csrf}}"><input type="hidden" name="action" value="add">
        <label>User name <input name="name" required maxlength="64"></label>
        <label>Role <select name="role">{{#roles}}<option value="{{value}}">{{label}}</option>{{/roles}}</select></label>
        <label>Staff code (sales users: whose tasks) <input name="staff" maxlength="32"></label>
        <label>Store (empty: every store) <input name="store" maxlength="32"></label>
        <label>Password (at least 10 characters) <input type="password" name="password" autocomplete="new-password"></label>
        <button type="submit" class="primary">Add</button></form></section>
        <section class="card"><h2>Change a role</h2>
        <form method="post" action="/admin/users"><input type="hidden" name="csrf" value="{{layout.csrf}}"><input type="hidden" name="action" value="role">
        <label>User <select name="user">{{#users}}<option value="{{name}}">{{name}}</option>{{/users}}</select></label>
        <label>Role <select name="role">{{#roles}}<option value="{{value}}">{{label}}</option>{{/roles}}</select></label>
        <button type="submit">Change the role</button></form></section>
        <section class="card"><h2>Reset a password</h2>
        <form method="post" action="/admin/users"><input type="hidden" name="csrf" value="{{layout.csrf}}"><input type="hidden" name="action" value="password">
        <label>User <select name="user">{{#users}}<option value="{{name}}">{{name}}</option>{{/users}}</select></label>
        <label>New password <input type="password" name="password" autocomplete="new-password" required minlength="10"></label>
        <button type="submit">Set password</button></form></section>
        <section class="card"><h2>Disable a user</h2>
        <form method="post" action="/admin/users"><input type="hidden" name="csrf" value="{{layout.csrf}}"><input type="hidden" name="action" value="disable">
        <label>User <select name="user">{{#users}}{{#active}}<option value="{{name}}">{{name}}</option>{{/active}}{{/users}}</select></label>
        <button type="submit">Disable: sessions and tokens stop at once</button></form></section>
        <section class="card"><h2>API tokens</h2>
        <div class="scroll" tabindex="0" role="region" aria-label="API tokens"><table><thead><tr><th>token</th><th>user</th><th>created</th><th>expires</th><th>status</th></tr></thead><tbody>
        {{#tokens}}<tr><td><code>{{label}}</code></td><td>{{user}}</td><td>{{created}}</td><td>{{expires}}</td><td>{{#revoked}}revoked {{.}}{{/revoked}}{{^revoked}}<form method="post" action="/admin/users"><input type="hidden" name="csrf" value="{{layout.csrf}}"><input type="hidden" name="action" value="revoke"><input type="hidden" name="token" value="{{id}}"><button type="submit">Revoke</button></form>{{/revoked}}</td></tr>{{/tokens}}
        </tbody></table></div>
        <form method="post" action="/admin/users"><input type="hidden" name="csrf" value="{{layout.csrf}}"><input type="hidden" name="action" value="token">
        <label>User <select name="user">{{#users}}{{#active}}<option value="{{name}}">{{name}}</option>{{/active}}{{/users}}</select></label>
        <label>Expires after days (empty: never) <input name="days" inputmode="numeric"></label>
        <button type="submit">Make a token</button></form></section>
        <section class="card" id="registration"><h2>Texting registration</h2>
        <ul>{{#registration}}<li>{{.}}</li>{{/registration}}</ul>
        <p class="muted">From the settings (a2p_brand_id, a2p_campaign_id, texas_registration; docs/settings.md).</p></section>
        {{> foot}}
        """
}
