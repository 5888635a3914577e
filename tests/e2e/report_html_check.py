"""Check an HTML report (report html) as a browser left it (chromium --dump-dom):
no script error, the tables rendered, the summary's counts equal to scope's own,
and the names of truth.json's scenario (Japanese intact) where they belong.

usage: report_html_check.py DOM.html SCOPE.jsonl SCOPE_SUMMARY.txt TRUTH.json
"""
import html.parser
import json
import re
import sys

dom_path, scope_path, summary_path, truth_path = sys.argv[1:5]
dom = open(dom_path, encoding="utf-8").read()
rows = [json.loads(l) for l in open(scope_path, encoding="utf-8")]
summary = open(summary_path, encoding="utf-8").read()
truth = json.load(open(truth_path, encoding="utf-8"))
fails = []


def check(what, ok):
    if not ok:
        fails.append(what)


class Text(html.parser.HTMLParser):
    """Text of each element with an id, and every element's tag."""

    def __init__(self):
        super().__init__()
        self.stack, self.text, self.tags, self.attrs = [], {}, [], {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag in ("br", "meta", "input", "path", "rect", "line", "i"):
            return
        self.stack.append(a.get("id"))
        if a.get("id"):
            self.text.setdefault(a["id"], "")
            self.attrs[a["id"]] = a

    def handle_endtag(self, tag):
        if tag in ("br", "meta", "input", "path", "rect", "line", "i"):
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        for i in self.stack:
            if i:
                self.text[i] += data


p = Text()
p.feed(dom)
t = p.text

check("body marked ready by the script", re.search(r'<body[^>]*data-ready="1"', dom))
check("no script error", t.get("errors", "x").strip() == "" and "hidden" in p.attrs.get("errors", {}))

sections = {}
for r in rows:
    sections.setdefault(r["section"], []).append(r)
m = re.search(r"(\d+) events", summary)
expect = {"sum-persons": len(sections.get("person", [])), "sum-files": len(sections.get("file", [])),
          "sum-hosts": len(sections.get("host", [])), "sum-classes": len(sections.get("class", [])),
          "sum-events": int(m.group(1)) if m else -1}
for k, v in expect.items():
    got = re.match(r"\s*(\d+)", t.get(k, ""))
    check(f"{k}: {v} expected, page says {t.get(k, '')!r}", got and int(got.group(1)) == v)
for table, section in (("persons", "person"), ("files", "file"), ("hosts", "host"), ("classes", "class")):
    n = p.attrs.get("table-" + table, {}).get("data-rows")
    check(f"table {table}: {len(sections.get(section, []))} rows expected, {n} rendered",
          n == str(len(sections.get(section, []))))
n = p.attrs.get("table-events", {}).get("data-rows")
check(f"events table: {expect['sum-events']} rows expected, {n}", n == str(expect["sum-events"]))

compromised = next(x for x in truth["persons"] if x["role"] == "compromised")
check("the compromised person in the persons table", compromised["user"] in t.get("table-persons", ""))
check("the compromised person in the persons chart", compromised["user"] in t.get("chart-persons", ""))
for r in sections.get("person", []):
    check(f"person {r['user']} in the table", r["user"] in t.get("table-persons", ""))
check("Japanese file names intact", "個人番号一覧" in t.get("table-files", ""))
check("burst of truth.json marked", truth["burst"]["user"] in t.get("mark-bursts", ""))
check("log clear of truth.json marked", truth["log_cleared"]["host"] in t.get("mark-clears", ""))
gap = truth["record_id_gap"]
check("record-id gap of truth.json marked",
      gap["host"] in t.get("mark-gaps", "") and f"{gap['missing']} " in t.get("mark-gaps", ""))
check("timeline drawn", "chart-timeline" in t and "<rect" in dom)

for f in fails:
    print("FAIL:", f)
print(f"{len(fails) == 0 and 'ok' or 'failed'}: {len(fails)} checks failed")
sys.exit(1 if fails else 0)
