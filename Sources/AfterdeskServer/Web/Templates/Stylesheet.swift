extension WebTemplates {
    /// `/static/app.css`: one stylesheet, mobile first (the queue is used on a phone on the lot).
    static let stylesheet = """
        :root { --ink: #1d2430; --muted: #5b6675; --line: #d9dee5; --bg: #f5f7fa; --card: #fff; --accent: #0b5cad;
          --late: #b3261e; --good: #1b7a3d; --treated: #0b5cad; --holdout: #9aa5b4; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
        header.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; padding: .6rem 1rem; background: #14213d; color: #fff; }
        header.top a { color: #fff; text-decoration: none; }
        .brand { font-weight: 700; margin-right: auto; }
        header nav { display: flex; flex-wrap: wrap; gap: .25rem .9rem; }
        header nav a[aria-current] { text-decoration: underline; text-underline-offset: 4px; }
        .signout { margin: 0; }
        header.top .signout button.link { color: #fff; }
        header.top a:focus-visible, header.top button:focus-visible { outline: 2px solid #fff; outline-offset: 2px; }
        main { max-width: 1100px; margin: 0 auto; padding: 1rem; }
        footer { text-align: center; color: var(--muted); font-size: .8rem; padding: 2rem 1rem; }
        h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
        h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
        a { color: var(--accent); }
        .muted { color: var(--muted); }
        main.offer { max-width: 560px; }
        .offer h1 { margin-top: 0; }
        .offer dl.terms { display: grid; grid-template-columns: auto 1fr; gap: .25rem 1rem; margin: 1rem 0 0; }
        .offer dl.terms dd { margin: 0; }
        .offer dl.terms dd.muted { grid-column: 2; font-size: .85rem; }
        .offer .big { font-size: 1.3rem; font-weight: 700; }
        .offer .actions form { margin: 0 0 .6rem; }
        .offer .actions button { width: 100%; }
        .fine { color: var(--muted); font-size: .8rem; text-align: center; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; margin: 0 0 1rem; }
        .narrow { max-width: 420px; margin: 2rem auto; }
        label { display: block; margin: 0 0 .75rem; font-weight: 600; }
        input, select, textarea { display: block; width: 100%; font: inherit; padding: .55rem .6rem; border: 1px solid #aab3c0; border-radius: 6px; margin-top: .25rem; background: #fff; }
        textarea { resize: vertical; }
        .presets a { margin-right: .75rem; }
        button, .button { display: inline-block; font: inherit; padding: .6rem 1rem; min-height: 44px; border: 1px solid #aab3c0; border-radius: 6px;
          background: #fff; color: var(--ink); cursor: pointer; text-decoration: none; }
        .primary { background: var(--accent); border-color: var(--accent); color: #fff; font-weight: 600; }
        button.link { border: 0; background: none; padding: .3rem 0; min-height: 0; color: var(--accent); text-decoration: underline; }
        .error { background: #fdecea; border: 1px solid #f5c2bd; color: var(--late); padding: .6rem .8rem; border-radius: 6px; }
        .flash { background: #e8f5ec; border: 1px solid #bfe3ca; color: var(--good); padding: .6rem .8rem; border-radius: 6px; }
        .empty { color: var(--muted); padding: 2rem 0; }
        .queue h2 .count { color: var(--muted); font-weight: 400; }
        #overdue h2 { color: var(--late); }
        ul.tasks { list-style: none; margin: 0 0 1.5rem; padding: 0; }
        ul.tasks li a { display: block; padding: .75rem; margin-bottom: .5rem; background: var(--card); border: 1px solid var(--line);
          border-left: 4px solid var(--accent); border-radius: 6px; color: var(--ink); text-decoration: none; }
        ul.tasks li.overdue a { border-left-color: var(--late); }
        ul.tasks .who, ul.tasks .what, ul.tasks .prod, ul.tasks .why, ul.tasks .veh, ul.tasks .due { display: block; }
        .veh, .due { color: var(--muted); font-size: .9rem; }
        .prod { font-weight: 600; color: var(--accent); }
        ul.tasks li.overdue .due { color: var(--late); font-weight: 600; }
        .late { color: var(--late); }
        .contact { display: flex; flex-wrap: wrap; gap: .5rem; margin: 0 0 1rem; }
        .contact .button { flex: 1 1 30%; text-align: center; }
        .price { color: var(--muted); font-weight: 400; }
        ul.points { margin: .5rem 0 0; padding-left: 1.2rem; }
        fieldset.sale { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 .75rem; display: grid; grid-template-columns: 1fr 1fr; gap: 0 .75rem; }
        fieldset.sale legend { font-weight: 700; }
        fieldset.sale label:first-of-type:has(select) { grid-column: 1 / -1; }
        fieldset.sale button { grid-column: 1 / -1; }
        .outcomes { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem; margin: 0 0 .75rem; }
        form.later { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; margin-top: 1rem; border-top: 1px solid var(--line); padding-top: .75rem; }
        ol.history { list-style: none; padding: 0; margin: 0; }
        ol.history li { padding: .5rem .7rem; margin: 0 0 .5rem; border-radius: 8px; max-width: 90%; background: #eef2f7; overflow-wrap: anywhere; }
        ol.history li.in { background: #e3f1e7; margin-left: auto; }
        ol.history .when { display: block; font-size: .75rem; color: var(--muted); }
        .filters { display: flex; flex-wrap: wrap; align-items: flex-end; gap: .5rem 1rem; margin-bottom: 1rem; }
        .filters label { margin: 0; }
        .headline { font-size: 1.15rem; font-weight: 600; background: var(--card); border-left: 4px solid var(--good); padding: .75rem 1rem; }
        .headline.small { border-left-color: #c98a00; }
        .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: .75rem; margin: 0 0 1rem; }
        .tile { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .8rem; }
        .tile .label { display: block; color: var(--muted); font-size: .85rem; }
        .tile .value { display: block; font-size: 1.35rem; font-weight: 700; }
        .tile .note { display: block; color: var(--muted); font-size: .8rem; }
        .scroll { overflow-x: auto; }
        .scroll:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
        table { border-collapse: collapse; width: 100%; font-size: .92rem; }
        th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        td.num { text-align: right; white-space: nowrap; }
        svg.chart { width: 100%; height: auto; min-width: 600px; }
        .scroll table { min-width: 640px; }
        svg .grid { stroke: #e6e9ee; }
        svg .zero { stroke: #7d8793; }
        svg .bar { fill: #7fb0e3; }
        svg .bar-treated { fill: var(--treated); }
        svg .bar-holdout { fill: var(--holdout); }
        svg .whisker { stroke: #1d2430; stroke-width: 1.5; }
        svg .point { fill: #1d2430; }
        svg .shade { fill: #f6d3cf; }
        svg .value-line { stroke: var(--good); stroke-width: 2; fill: none; }
        svg .balance-line { stroke: var(--late); stroke-width: 2; fill: none; }
        svg .today { stroke: #c98a00; stroke-width: 2; stroke-dasharray: 4 3; }
        svg .touch { fill: var(--accent); }
        svg .span { fill: #cfe0f3; }
        svg text { font: 12px system-ui, sans-serif; fill: #1d2430; }
        svg text.axis { fill: #5b6675; font-size: 11px; }
        svg text.axis.inside { fill: #1d2430; }
        .back { margin: 0; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
        dl.facts dt { color: var(--muted); }
        dl.facts dd { margin: 0; overflow-wrap: anywhere; }
        @media (min-width: 720px) {
          ul.tasks li a { display: grid; grid-template-columns: 14rem 1fr 10rem; gap: 1rem; }
          ul.tasks .due { text-align: right; }
          .outcomes { grid-template-columns: repeat(5, auto); justify-content: start; }
        }
        """
}
