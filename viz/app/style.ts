/** The page's CSS, shipped inside the viewer script so a page is one file. */
export const STYLE = `
:root { --ink:#1f2933; --muted:#6b7785; --line:#e1e6ec; --bg:#ffffff; --panel:#f7f9fb; --accent:#1f6fc0; --bad:#d62728; --good:#2e8540; }
* { box-sizing: border-box; }
html, body { margin:0; height:100%; background:var(--bg); color:var(--ink); font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; }
#raftsim-viewer { display:grid; grid-template-rows:auto auto 1fr; height:100vh; overflow:hidden; }
code, kbd, pre { font-family: ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12px; }
.muted { color:var(--muted); }
header { padding:8px 14px 6px; border-bottom:1px solid var(--line); background:linear-gradient(#fbfcfd,#f3f6f9); }
.title-row { display:flex; align-items:baseline; gap:10px; flex-wrap:wrap; }
.brand { font-weight:700; color:#fff; background:#27313d; border-radius:4px; padding:1px 7px; font-size:12px; letter-spacing:.5px; }
h1 { font-size:18px; margin:0; }
.seed { font-weight:600; color:#3a4653; }
.description { color:var(--muted); }
.badge { font-weight:700; font-size:11px; padding:2px 8px; border-radius:10px; letter-spacing:.4px; text-transform:uppercase; }
.badge.ok { background:#dff3e3; color:var(--good); }
.badge.failed { background:#fde0e0; color:var(--bad); }
.badge.unknown { background:#eee; color:#555; }
.badge.bug { background:#efe6fb; color:#5a2ea6; text-transform:none; }
.profile-row { margin-top:3px; color:#3a4653; font-size:12px; }
.meta-row { display:flex; gap:3px 18px; flex-wrap:wrap; align-items:center; margin-top:4px; color:#3a4653; }
.meta-row code { background:#eef2f6; padding:1px 5px; border-radius:3px; }
.stats { display:flex; gap:12px; flex-wrap:wrap; }
.stat { color:var(--muted); } .stat b { color:var(--ink); font-weight:600; }
.violations { margin:5px 0 0; padding:0; list-style:none; color:var(--bad); }
.violations a { color:var(--bad); }
button { font:inherit; cursor:pointer; border:1px solid #cfd6de; background:#fff; border-radius:5px; padding:2px 8px; color:var(--ink); }
button:hover { background:#eef3f8; }
button.primary { background:var(--accent); color:#fff; border-color:var(--accent); min-width:74px; }
button.link { border:none; background:none; color:var(--accent); padding:0 4px; }
select { font:inherit; border:1px solid #cfd6de; border-radius:5px; padding:1px 4px; background:#fff; }
nav#toolbar { display:flex; gap:16px; align-items:center; flex-wrap:wrap; padding:6px 14px; border-bottom:1px solid var(--line); background:#fff; }
.group { display:flex; gap:5px; align-items:center; }
.group.right { margin-left:auto; }
.group-label, .jump-label { color:var(--muted); font-size:12px; }
.jump { display:inline-flex; align-items:center; gap:3px; margin-right:6px; }
.jump button { padding:1px 6px; font-size:10px; }
.chip { border-radius:12px; padding:1px 9px; font-size:12px; }
.chip i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:5px; vertical-align:-1px; }
.chip[aria-pressed="false"] { opacity:.45; text-decoration:line-through; background:#f3f3f3; }
main { display:grid; grid-template-columns:minmax(0,1fr) 400px; min-height:0; }
.timeline-wrap { display:flex; flex-direction:column; min-width:0; min-height:0; border-right:1px solid var(--line); }
#timeline { position:relative; flex:1; min-height:0; overflow:hidden; }
#timeline .layer { position:absolute; left:0; top:0; }
#timeline svg.back, #timeline canvas { pointer-events:none; }
#timeline svg.front .event-catcher { fill:transparent; }
#timeline svg.front g { pointer-events:none; }
.legend { display:flex; gap:12px; flex-wrap:wrap; align-items:center; padding:5px 12px; border-top:1px solid var(--line); font-size:11.5px; color:#44505c; background:#fafbfc; }
.legend-item i { display:inline-block; width:16px; height:10px; border-radius:2px; margin-right:4px; vertical-align:-1px; border:1px solid rgba(0,0,0,.08); }
.legend-item b { margin-right:4px; font-weight:700; }
.legend .x { color:var(--bad); } .legend .cut { color:#b03a3a; font-size:10.5px; } .legend .dash { color:#1f6fc0; letter-spacing:-1px; } .legend .cursor-mark { color:#111; }
#status { margin-left:auto; }
.lane-label { font-size:12.5px; font-weight:600; fill:#3a4653; }
.lane-label.small { font-size:11px; font-weight:500; fill:var(--muted); }
.section-label { font-size:11px; fill:var(--muted); text-transform:uppercase; letter-spacing:.6px; }
g.lane.dimmed { opacity:.35; }
.band text { font-size:11px; font-weight:600; }
.down-label { font-size:11px; font-weight:700; } .down-label.crashed { fill:#fff; } .down-label.paused { fill:#27313d; }
.partition-label { font-size:10.5px; fill:#b03a3a; font-weight:600; }
.fault-glyph { font-size:10px; font-weight:700; fill:#3d434b; text-anchor:start; }
.fault-glyph.clock { fill:#7048b6; }
.note { font-size:10px; font-weight:600; }
.cut-label { fill:#b03a3a; }
.clock-label { fill:#7048b6; }
.clog-label { fill:#0f7c86; }
.clock-rate { color:#7048b6; font-weight:700; font-size:11px; margin-left:3px; }
.flaky-label { font-size:10px; fill:#8a5a00; }
.fault-glyph.transfer { fill:#3949ab; } .fault-glyph.confPropose { fill:#00796b; } .fault-glyph.note { fill:#6b7785; }
.member-veil { fill:#ffffff; opacity:.62; }
.member-label { font-size:10px; font-weight:700; paint-order:stroke; stroke:#fff; stroke-width:3px; stroke-linejoin:round; }
.member-badge { font-size:10px; font-weight:700; }
.conf-label { font-size:10.5px; font-weight:600; fill:#3a4653; } .conf-label.joint { fill:#8a5000; font-weight:700; }
.lane-mark path { stroke-width:1.6; } .lane-mark.install path { stroke-width:2.4; }
.lane-mark text, .transfer-label { font-size:10.5px; font-weight:700; paint-order:stroke; stroke:#fff; stroke-width:3px; stroke-linejoin:round; }
.lane-mark.snapshot text { font-size:9px; font-weight:600; }
.transfer-arc { fill:none; stroke-width:2.5; opacity:.9; }
.transfer-label { fill:#3949ab; }
.transfer-end { fill:var(--bad); font-size:13px; font-weight:700; text-anchor:middle; }
.axis text { font-size:11px; fill:#4a5561; } .axis path, .axis line { stroke:#b8c1cb; }
.cursor-line { stroke:#111; stroke-width:1.5; }
.cursor-tag { fill:#111; } .cursor-text { fill:#fff; font-size:11px; font-weight:600; text-anchor:middle; }
rect.op { stroke:rgba(0,0,0,.25); stroke-width:.6; }
rect.op.faded { opacity:.25; }
rect.op.involved { stroke:#27313d; stroke-width:1.2; }
rect.op.impossible { stroke:var(--bad); stroke-width:2.5; }
.op-label { font-size:10.5px; fill:#14202b; }
.lin-path { fill:none; stroke:#27313d; stroke-width:1.3; stroke-dasharray:3 2; }
.lin-point { fill:#fff; stroke:#27313d; stroke-width:2; }
.violation-label { fill:#fff; font-size:11px; font-weight:700; }
.hl { fill:none; stroke-width:3.5; }
.hl.hovered { stroke-width:2.5; opacity:.75; }
.hl.selected { filter:drop-shadow(0 0 2px rgba(0,0,0,.35)); }
.tooltip { position:absolute; z-index:5; pointer-events:none; background:rgba(25,32,40,.94); color:#eef2f6; padding:6px 9px; border-radius:6px; font-size:11.5px; max-width:340px; box-shadow:0 4px 14px rgba(0,0,0,.2); }
.tooltip .tt-title { font-weight:700; margin-bottom:2px; color:#fff; }
.tooltip .k { color:#9fb0c2; }
.tooltip .tt-hint { color:#9fb0c2; font-size:10.5px; margin-top:3px; }
aside { overflow-y:auto; background:var(--panel); min-height:0; }
aside section { padding:8px 12px; border-bottom:1px solid var(--line); }
aside h2 { font-size:13.5px; margin:0 0 2px; display:flex; align-items:center; gap:4px; }
aside h3 { font-size:12px; margin:9px 0 3px; color:#3a4653; }
details.story > summary { cursor:pointer; list-style:none; }
details.story > summary h2 { display:inline-flex; }
.story-lines { position:relative; max-height:220px; overflow-y:auto; list-style:none; margin:4px 0 0; padding:0; font-size:11.5px; }
.story-lines li { cursor:pointer; padding:1px 4px; border-radius:3px; }
.story-lines li:hover { background:#eef2f6; }
.story-lines li.now { background:#fff1bf; }
.story-t { color:#6b7785; font-variant-numeric:tabular-nums; }
.story-lines li.story-leadership { color:#9a4d00; }
.story-lines li.story-process { color:#2b3440; font-weight:600; }
.story-lines li.story-fault, .story-lines li.story-note { color:#5d6773; }
.story-lines li.story-violation { color:#b3261e; font-weight:700; }
.story-lines li.story-availability { color:#7a3e9d; }
aside h3 .muted { font-weight:400; font-size:11px; }
.state-time { color:var(--accent); }
.partition-now { color:#b03a3a; }
.clogs-now { color:#0f7c86; }
table { border-collapse:collapse; }
.state-table { width:100%; margin-top:6px; font-size:12px; }
.state-table th { font-weight:600; color:var(--muted); font-size:11px; text-align:right; padding:2px 4px; }
.state-table td { text-align:right; padding:2px 4px; border-top:1px solid var(--line); font-variant-numeric:tabular-nums; }
.state-table th:nth-child(-n+2), .state-table td:nth-child(-n+2) { text-align:left; }
.state-table tr.crashed td { color:#98a2ad; }
.role-chip { display:inline-block; min-width:64px; text-align:center; border-radius:9px; padding:0 6px; font-size:11px; font-weight:600; }
.logs { font-size:10.5px; }
.log-row { display:flex; gap:2px; align-items:center; margin-bottom:2px; }
.log-row.crashed { opacity:.4; }
.log-node { width:16px; font-weight:600; color:#3a4653; }
.log-more { width:12px; color:var(--muted); text-align:center; }
.log-index { width:24px; text-align:center; color:var(--muted); font-size:9.5px; }
.log-cell { width:24px; height:19px; line-height:17px; text-align:center; border:1.5px dashed #9aa6b2; border-radius:3px; opacity:.55; font-weight:600; color:#27313d; }
.log-cell.committed { border:1.5px solid #56616d; opacity:1; }
.log-cell.empty { border:1px dotted #dde3e9; background:none; opacity:1; }
.log-cell.compacted { border:1.5px solid #8d5524; opacity:1; color:#5a3410; background:repeating-linear-gradient(45deg,#ecd9c6 0 3px,#f7eee4 3px 6px) !important; }
.log-snap { min-width:38px; padding:0 3px; height:19px; line-height:17px; text-align:center; border:1.5px solid #8d5524; border-radius:3px; background:#ecd9c6; color:#5a3410; font-weight:700; white-space:nowrap; }
.member-chip { display:inline-block; white-space:nowrap; border-radius:9px; padding:0 4px; font-size:10.5px; font-weight:700; border:1px solid currentColor; }
.conf-now { margin-top:3px; font-size:12px; } .conf-now.joint { color:#8a5000; font-weight:600; }
.transfer-now { color:#3949ab; font-weight:700; font-size:11px; }
.pstate { font-size:11px; font-weight:600; } .pstate.snapshot { color:#8d5524; }
.progress-table { font-size:12px; }
.progress-table th { font-size:11px; color:var(--muted); font-weight:600; padding:1px 8px 1px 0; text-align:left; }
.progress-table td { padding:1px 8px 1px 0; font-variant-numeric:tabular-nums; }
.details-table { font-size:12px; width:100%; margin-top:4px; }
.details-table th { text-align:left; color:var(--muted); font-weight:600; padding:1px 10px 1px 0; vertical-align:top; white-space:nowrap; }
.details-table td { padding:1px 0; word-break:break-word; }
pre.raw { white-space:pre-wrap; word-break:break-all; background:#fff; border:1px solid var(--line); padding:6px; border-radius:4px; max-height:180px; overflow:auto; font-size:11px; }
details summary { cursor:pointer; color:var(--muted); font-size:12px; margin-top:6px; }
.help { position:fixed; inset:0; background:rgba(20,26,33,.45); display:flex; align-items:center; justify-content:center; z-index:10; }
.help[hidden] { display:none; }
.help-card { background:#fff; border-radius:10px; padding:16px 22px; max-width:620px; box-shadow:0 10px 40px rgba(0,0,0,.3); }
.help-card h2 { margin:0 0 8px; font-size:16px; }
.help-card th { text-align:left; padding:3px 14px 3px 0; white-space:nowrap; }
.help-card kbd { background:#eef2f6; border:1px solid #cfd6de; border-bottom-width:2px; border-radius:4px; padding:0 5px; }
.fatal { color:var(--bad); padding:20px; white-space:pre-wrap; }
`;
