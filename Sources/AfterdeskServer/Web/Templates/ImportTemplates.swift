extension WebTemplates {
    static let imports = """
        {{#layout}}{{> head}}{{/layout}}
        <h1>Imports</h1>
        <section class="card">
        <h2>Import a deal file</h2>
        {{#error}}<p class="error" role="alert">{{.}}</p>{{/error}}
        <form method="post" action="/imports" enctype="multipart/form-data">
        <input type="hidden" name="csrf" value="{{layout.csrf}}">
        <label>Deal file (CSV, or JSON) <input type="file" name="file" required accept=".csv,.json,.jsonl,.ndjson,.txt,text/csv"></label>
        <label>Layout <select name="profile">{{#profiles}}<option value="{{value}}">{{label}}</option>{{/profiles}}</select></label>
        <button type="submit" class="primary">Upload and import</button>
        </form>
        <p class="muted">Importing the same file again changes nothing. Refused rows are listed with their line, field and value; the good rows land.</p>
        </section>
        <section class="card">
        <h2>Recent imports</h2>
        {{^imports}}<p class="muted">No file has been uploaded here yet.</p>{{/imports}}
        {{#hasImports}}<div class="scroll" tabindex="0" role="region" aria-label="Imports"><table><thead><tr><th>file</th><th>by</th><th>when</th><th>rows</th><th>status</th></tr></thead><tbody>{{/hasImports}}
        {{#imports}}<tr><td><a href="{{href}}">{{fileName}}</a></td><td>{{user}}</td><td>{{at}}</td><td class="num">{{rows}}</td><td>{{status}}</td></tr>{{/imports}}
        {{#hasImports}}</tbody></table></div>{{/hasImports}}
        </section>
        {{> foot}}
        """

    static let importPage = """
        {{#layout}}{{> head}}{{/layout}}
        <p class="back"><a href="/imports">← Imports</a></p>
        <h1>{{fileName}}</h1>
        <p class="muted">{{profile}} · import {{id}} · <strong id="status">{{status}}</strong></p>
        {{#running}}<p class="flash" role="status">Importing: {{rowsRead}} rows read so far. This page refreshes by itself.</p>{{/running}}
        {{#failed}}<p class="error" role="alert">The import failed: {{error}}</p>{{/failed}}
        {{#done}}
        <div class="tiles">
        <div class="tile"><span class="label">Rows read</span><span class="value">{{read}}</span></div>
        <div class="tile"><span class="label">New</span><span class="value">{{inserted}}</span></div>
        <div class="tile"><span class="label">Updated</span><span class="value">{{updated}}</span></div>
        <div class="tile"><span class="label">Unchanged</span><span class="value">{{unchanged}}</span></div>
        <div class="tile"><span class="label">Refused</span><span class="value" id="refused-count">{{rejected}}</span></div>
        <div class="tile"><span class="label">Declined products stored</span><span class="value">{{declines}}</span></div>
        </div>
        {{#planned}}<p class="muted">{{.}}.</p>{{/planned}}
        {{/done}}
        {{#hasRejects}}<p><a class="button" href="{{rejectsHref}}" id="rejects-csv">Download the rejects file (CSV)</a></p>{{/hasRejects}}
        {{#hasRefused}}
        <section class="card"><h2>Refused rows</h2>
        <div class="scroll" tabindex="0" role="region" aria-label="Refused rows"><table id="refused"><thead><tr><th>line</th><th>deal</th><th>field</th><th>value</th><th>why</th></tr></thead><tbody>
        {{/hasRefused}}
        {{#refused}}<tr><td class="num">{{line}}</td><td>{{deal}}</td><td>{{field}}</td><td>{{value}}</td><td>{{message}}</td></tr>{{/refused}}
        {{#hasRefused}}</tbody></table></div>{{#refusedOmitted}}<p class="muted">{{.}} more in the rejects file.</p>{{/refusedOmitted}}</section>{{/hasRefused}}
        {{#hasWarnings}}
        <section class="card"><h2>Warnings (rows kept)</h2>
        <div class="scroll" tabindex="0" role="region" aria-label="Warnings"><table><thead><tr><th>line</th><th>deal</th><th>field</th><th>value</th><th>warning</th></tr></thead><tbody>
        {{/hasWarnings}}
        {{#warnings}}<tr><td class="num">{{line}}</td><td>{{deal}}</td><td>{{field}}</td><td>{{value}}</td><td>{{message}}</td></tr>{{/warnings}}
        {{#hasWarnings}}</tbody></table></div></section>{{/hasWarnings}}
        {{> foot}}
        """
}
