// 执法 Zhifa — verifies a case event's ledger leaf in the browser: fetches the latest signed
// checkpoint and the inclusion proof (/api/v1/ledger/proof/inclusion), recomputes the root
// from the audit path (RFC 9162 §2.1.3.2) with SM3 (GB/T 32905) or SHA-256, and compares it
// with the checkpoint's root. Without JavaScript the 验证 link asks the server instead.
(function () {
  'use strict';
  function rotl(x, n) { n %= 32; return ((x << n) | (x >>> (32 - n))) >>> 0; }
  function p0(x) { return (x ^ rotl(x, 9) ^ rotl(x, 17)) >>> 0; }
  function p1(x) { return (x ^ rotl(x, 15) ^ rotl(x, 23)) >>> 0; }
  function sm3(bytes) {
    var len = bytes.length, bitLen = len * 8;
    var padLen = ((len + 9 + 63) >> 6) << 6;
    var m = new Uint8Array(padLen);
    m.set(bytes); m[len] = 0x80;
    var hi = Math.floor(bitLen / 4294967296), lo = bitLen >>> 0;
    m[padLen - 8] = hi >>> 24; m[padLen - 7] = (hi >>> 16) & 255; m[padLen - 6] = (hi >>> 8) & 255; m[padLen - 5] = hi & 255;
    m[padLen - 4] = lo >>> 24; m[padLen - 3] = (lo >>> 16) & 255; m[padLen - 2] = (lo >>> 8) & 255; m[padLen - 1] = lo & 255;
    var v = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e];
    var w = new Array(68), w1 = new Array(64);
    for (var off = 0; off < padLen; off += 64) {
      for (var i = 0; i < 16; i++) {
        w[i] = ((m[off + 4 * i] << 24) | (m[off + 4 * i + 1] << 16) | (m[off + 4 * i + 2] << 8) | m[off + 4 * i + 3]) >>> 0;
      }
      for (i = 16; i < 68; i++) {
        w[i] = (p1(w[i - 16] ^ w[i - 9] ^ rotl(w[i - 3], 15)) ^ rotl(w[i - 13], 7) ^ w[i - 6]) >>> 0;
      }
      for (i = 0; i < 64; i++) w1[i] = (w[i] ^ w[i + 4]) >>> 0;
      var a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
      for (var j = 0; j < 64; j++) {
        var t = j < 16 ? 0x79cc4519 : 0x7a879d8a;
        var ss1 = rotl((rotl(a, 12) + e + rotl(t, j)) >>> 0, 7);
        var ss2 = (ss1 ^ rotl(a, 12)) >>> 0;
        var ff = j < 16 ? (a ^ b ^ c) : ((a & b) | (a & c) | (b & c));
        var gg = j < 16 ? (e ^ f ^ g) : ((e & f) | (~e & g));
        var tt1 = ((ff >>> 0) + d + ss2 + w1[j]) >>> 0;
        var tt2 = ((gg >>> 0) + h + ss1 + w[j]) >>> 0;
        d = c; c = rotl(b, 9); b = a; a = tt1;
        h = g; g = rotl(f, 19); f = e; e = p0(tt2);
      }
      v = [v[0] ^ a, v[1] ^ b, v[2] ^ c, v[3] ^ d, v[4] ^ e, v[5] ^ f, v[6] ^ g, v[7] ^ h].map(function (x) { return x >>> 0; });
    }
    var out = new Uint8Array(32);
    for (i = 0; i < 8; i++) { out[4 * i] = v[i] >>> 24; out[4 * i + 1] = (v[i] >>> 16) & 255; out[4 * i + 2] = (v[i] >>> 8) & 255; out[4 * i + 3] = v[i] & 255; }
    return out;
  }
  function hex(b) { return Array.prototype.map.call(b, function (x) { return ('0' + x.toString(16)).slice(-2); }).join(''); }
  function unhex(s) { var b = new Uint8Array(s.length / 2); for (var i = 0; i < b.length; i++) b[i] = parseInt(s.substr(2 * i, 2), 16); return b; }
  function b64hex(s) { var r = atob(s), o = ''; for (var i = 0; i < r.length; i++) o += ('0' + r.charCodeAt(i).toString(16)).slice(-2); return o; }
  async function node(alg, l, r) {
    var buf = new Uint8Array(65); buf[0] = 1; buf.set(l, 1); buf.set(r, 33);
    if (alg === 'sm3') return sm3(buf);
    return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  }
  async function rootFromPath(p) {
    if (p.leaf_index >= p.tree_size) return null;
    var fn = p.leaf_index, sn = p.tree_size - 1, r = unhex(p.leaf_hash);
    for (var i = 0; i < p.proof.length; i++) {
      var q = unhex(p.proof[i]);
      if (sn === 0) return null;
      if ((fn & 1) === 1 || fn === sn) {
        r = await node(p.hash, q, r);
        if ((fn & 1) === 0) { while ((fn & 1) === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); } }
      } else {
        r = await node(p.hash, r, q);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 ? hex(r) : null;
  }
  async function verify(link) {
    var out = link.parentNode.querySelector('.verify-result');
    var leaf = Number(link.getAttribute('data-leaf'));
    out.className = 'verify-result'; out.textContent = '验证中…';
    try {
      var cp = await fetch('/api/v1/ledger/checkpoint');
      if (!cp.ok) throw new Error('账本尚无已签名的检查点');
      var lines = (await cp.text()).split('\n');
      var size = Number(lines[1]), root = b64hex(lines[2]);
      if (leaf >= size) throw new Error('最新检查点尚未覆盖该记录，请稍后再试');
      var res = await fetch('/api/v1/ledger/proof/inclusion?leaf_index=' + leaf + '&tree_size=' + size);
      if (!res.ok) throw new Error('无法取得包含证明');
      var proof = await res.json();
      var computed = await rootFromPath(proof);
      if (computed !== null && computed === root && proof.root === root) {
        out.className = 'verify-result ok';
        out.textContent = '已验证（树大小 ' + size + '）';
      } else {
        out.className = 'verify-result bad';
        out.textContent = '验证失败';
      }
    } catch (e) {
      out.className = 'verify-result bad';
      out.textContent = e.message;
    }
  }
  if (hex(sm3(new TextEncoder().encode('abc'))) !== '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0') return;
  document.querySelectorAll('a.verify[data-leaf]').forEach(function (a) {
    a.addEventListener('click', function (ev) { ev.preventDefault(); verify(a); });
  });
}());
