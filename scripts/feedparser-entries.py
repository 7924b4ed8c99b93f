#!/usr/bin/python3
# Every entry's id (with its title, link and date, to find it among ours) as feedparser reads it, for the real feeds
# of test/fixtures/corpus/feedparser-fields.json: client-baseline.jsonl keeps the first entry's title, link and date
# only, and no id. Needs Debian's python3-feedparser (6.0.10, the release the baseline was made with):
#   apt-get install python3-feedparser && /usr/bin/python3 scripts/feedparser-entries.py
# Writes test/fixtures/corpus/feedparser-entries.json; run it after scripts/feedparser-sample.mjs.
import calendar
import json
import pathlib
import time

import feedparser

root = pathlib.Path(__file__).resolve().parent.parent / 'test' / 'fixtures' / 'corpus'
sample = json.loads((root / 'feedparser-fields.json').read_text())


def instant(parsed):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(calendar.timegm(parsed))) if parsed else None


out = {'generated_by': 'scripts/feedparser-entries.py', 'feedparser': feedparser.__version__, 'feeds': {}}
for feed in sample['feeds']:
    # Read from a file:// copy like the baseline, so relative references resolve the way its records show them.
    result = feedparser.parse(str(root / feed['file']))
    entries = []
    for e in result.entries:
        entries.append({
            'id': e.get('id'),
            'title': e.get('title'),
            'link': e.get('link'),
            'date': instant(e.get('published_parsed') or e.get('updated_parsed')),
        })
    out['feeds'][feed['file']] = {'bozo': int(bool(result.bozo)), 'entries': entries}

(root / 'feedparser-entries.json').write_text(json.dumps(out, ensure_ascii=False, indent=1) + '\n')
print(f"{len(out['feeds'])} feeds, {sum(len(f['entries']) for f in out['feeds'].values())} entries, "
      f"{sum(1 for f in out['feeds'].values() for e in f['entries'] if e['id'])} with an id")
