#!/usr/bin/env python3
"""Writes N distinct Meta page-feed deliveries (one change each), signed as Meta signs them
(X-Hub-Signature-256: HMAC-SHA256 of the raw body with the app secret), one per line:
<hex signature> TAB <body>. The load generator sends them as they are: no signing during the run."""
import hashlib, hmac, sys

secret, count, prefix = sys.argv[1].encode(), int(sys.argv[2]), sys.argv[3]
out = sys.stdout
for i in range(count):
    body = ('{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"feed","value":'
            '{"item":"comment","verb":"add","comment_id":"%s-%d","message":"benchmark"}}]}]}' % (prefix, i))
    mac = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
    out.write(mac + "\t" + body + "\n")
