// serve.js - a small static file server for `make serve` and the browser tests (no
// dependencies). Serves one folder; never anything outside it.
//   node tests/serve.js web 8000
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.wasm': 'application/wasm', '.txt': 'text/plain; charset=utf-8',
  '.ico': 'image/x-icon', '.md': 'text/plain; charset=utf-8',
};

// Text is sent gzipped when the browser accepts it, as static hosts (GitHub Pages) do: the
// sizes the browser sees, and Lighthouse's simulated slow network, are those of a real host.
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.txt', '.md']);

// Starts serving `root` on `port` (0 = any free port). Resolves to { server, url, requests },
// where requests lists every path asked for.
function serve(root, port, host = '127.0.0.1') {
  const base = path.resolve(root);
  const requests = [];
  const server = http.createServer((req, res) => {
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    requests.push(rel);
    let file = path.join(base, rel);
    if (file !== base && !file.startsWith(base + path.sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    if (rel.endsWith('/')) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: ' + rel);
        return;
      }
      const headers = {
        'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
        'cache-control': 'no-store',
      };
      if (COMPRESSIBLE.has(path.extname(file))) {
        headers.vary = 'accept-encoding';
        if (/\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
          data = zlib.gzipSync(data, { level: 6 });
          headers['content-encoding'] = 'gzip';
        }
      }
      res.writeHead(200, headers);
      res.end(data);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve({ server, url: `http://${host}:${server.address().port}/`, requests });
    });
  });
}

module.exports = { serve };

if (require.main === module) {
  const [root = 'web', port = '8000'] = process.argv.slice(2);
  serve(root, Number(port), process.env.HOST || '127.0.0.1').then(({ url }) => {
    console.log(`serving ${root}/ at ${url}`);
  }, (err) => {
    console.error(`serve.js: cannot listen on port ${port}: ${err.message}` +
      (err.code === 'EADDRINUSE' ? ` (try: make serve PORT=${Number(port) + 1})` : ''));
    process.exit(1);
  });
}
