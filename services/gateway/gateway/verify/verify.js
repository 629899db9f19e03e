// The public disclosure log's verify page (AUDIT.md A8, ADR 0037). Everything is checked here,
// in the browser: the line's leaf hash recomputed from what is typed, its RFC 9162 inclusion
// proof (from &p=, or from the few tiles the proof needs), and the checkpoint's Ed25519 signature
// against the vkey (WebCrypto, or the vendored @noble/ed25519 where the browser lacks it).
// The location's fragment: #i=<index>&h=<base64url leaf hash>[&p=<base64url proof hashes>].

const TILE = 256;
const enc = new TextEncoder();
const $ = (id) => document.getElementById(id);

function b64(text) {
  const s = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(s + "=".repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
function same(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}
const leafHash = (data) => sha256(concat(new Uint8Array([0]), data));
const nodeHash = (l, r) => sha256(concat(new Uint8Array([1]), l, r));

class Failed extends Error {}
const fail = (zh, en) => { throw new Failed(`${zh} / ${en}`); };

// c2sp.org/tlog-tiles paths: N in groups of three digits, all but the last prefixed with x.
function tileIndex(n) {
  let d = String(n).padStart(3, "0");
  d = "0".repeat((3 - (d.length % 3)) % 3) + d;
  const groups = d.match(/.{3}/g);
  return groups.map((g, i) => (i < groups.length - 1 ? "x" + g : g)).join("/");
}
function tilePath(level, n, width) {
  return `tile/${level}/${tileIndex(n)}` + (width < TILE ? `.p/${width}` : "");
}

// c2sp.org/signed-note: verifier key name+hex(key ID)+base64(0x01 || Ed25519 public key).
async function parseVkey(text) {
  const parts = text.trim().split("+");
  if (parts.length < 3) fail("公钥格式不对", "malformed verifier key");
  const name = parts[0], id = parts[1], raw = b64(parts.slice(2).join("+"));
  if (raw.length !== 33 || raw[0] !== 1) fail("公钥不是 Ed25519 公钥", "not an Ed25519 vkey");
  const pub = raw.slice(1);
  const want = (await sha256(concat(enc.encode(name + "\n"), new Uint8Array([1]), pub))).slice(0, 4);
  if (hex(want) !== id.toLowerCase()) fail("公钥的编号与公钥不符", "the vkey's key ID does not match");
  return { name, keyId: want, pub };
}

// ?ed25519=noble skips WebCrypto (to check the fallback in a browser that has both)
const NOBLE_ONLY = new URLSearchParams(location.search).get("ed25519") === "noble";

async function ed25519Verify(pub, sig, msg) {
  try {
    if (NOBLE_ONLY) throw new Error("WebCrypto skipped");
    const key = await crypto.subtle.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"]);
    return { ok: await crypto.subtle.verify({ name: "Ed25519" }, key, sig, msg), by: "WebCrypto" };
  } catch (e) {
    if (e instanceof Failed) throw e;
    const noble = await import("./vendor/noble-ed25519-3.2.0.js");
    return { ok: await noble.verifyAsync(sig, msg, pub), by: "@noble/ed25519" };
  }
}

// A checkpoint note: its text must carry a valid signature by the vkey; then origin, size, root.
async function openCheckpoint(note, vkey) {
  const cut = note.lastIndexOf("\n\n");
  if (cut < 0 || !note.endsWith("\n")) fail("检查点格式不对", "malformed checkpoint");
  const text = note.slice(0, cut + 1);
  let checked = null;
  for (const line of note.slice(cut + 2, -1).split("\n")) {
    if (!line.startsWith("\u2014 ")) fail("检查点签名行格式不对", "malformed signature line");
    const [name, blob64] = line.slice(2).split(" ");
    const blob = b64(blob64);
    if (name !== vkey.name || !same(blob.slice(0, 4), vkey.keyId)) continue;
    checked = await ed25519Verify(vkey.pub, blob.slice(4), enc.encode(text));
    if (!checked.ok) fail("检查点签名无效", "the checkpoint's signature does not verify");
    break;
  }
  if (!checked) fail("检查点没有此公钥的签名", "no signature by this vkey");
  const [origin, size, root] = text.split("\n");
  if (origin !== vkey.name) fail("检查点不属于此日志", "the checkpoint is of another log");
  if (!/^(0|[1-9][0-9]*)$/.test(size)) fail("检查点大小不对", "malformed tree size");
  return { origin, size: Number(size), root: b64(root), by: checked.by };
}

async function fetchBytes(base, path) {
  const answer = await fetch(`${base}/${path}`, { cache: "no-cache" });
  if (!answer.ok) fail(`读取 ${path} 失败`, `could not read ${path} (${answer.status})`);
  return new Uint8Array(await answer.arrayBuffer());
}

async function entryAt(base, index, size) {
  const n = Math.floor(index / TILE), width = Math.min(TILE, size - n * TILE);
  const data = await fetchBytes(base, tilePath("entries", n, width));
  let at = 0;
  for (let k = 0; at < data.length; k++) {
    const len = (data[at] << 8) | data[at + 1];
    if (k === index % TILE) return data.slice(at + 2, at + 2 + len);
    at += 2 + len;
  }
  fail("日志中没有这一条", "no such entry in the log");
}

// c2sp.org/tlog-tiles: a tile of level L holds the hashes of the complete subtrees of height
// 8L (256^L leaves each), 256 to a tile, the last one of a level partial. Only the tiles the
// proof needs are read, each once: a complete subtree of height h is hashed up from
// 2^(h mod 8) neighbouring hashes of one tile of level floor(h / 8).
class Tiles {
  constructor(base, size) {
    this.base = base;
    this.size = size;
    this.read = new Map();
  }

  tile(level, n) {
    const nodes = Math.floor(this.size / TILE ** level); // complete nodes of this level
    const width = Math.min(TILE, nodes - n * TILE);
    if (width <= 0) fail("日志的瓦片不全", "the log has no such tile");
    const name = tilePath(level, n, width);
    if (!this.read.has(name)) {
      this.read.set(name, fetchBytes(this.base, name).then((data) => {
        if (data.length !== 32 * width) fail(`瓦片 ${name} 长度不对`, `tile ${name} has the wrong size`);
        return data;
      }));
    }
    return this.read.get(name);
  }

  // the root of the complete subtree of 2^height leaves from leaf `start` (a multiple of it)
  async subtree(start, height) {
    const level = Math.floor(height / 8);
    const first = start / TILE ** level;
    const data = await this.tile(level, Math.floor(first / TILE));
    const at = first % TILE;
    let hashes = [];
    for (let k = at; k < at + 2 ** (height - 8 * level); k++) hashes.push(data.slice(32 * k, 32 * k + 32));
    while (hashes.length > 1) {
      const up = [];
      for (let k = 0; k < hashes.length; k += 2) up.push(await nodeHash(hashes[k], hashes[k + 1]));
      hashes = up;
    }
    return hashes[0];
  }

  // RFC 9162 §2.1.1: MTH(D[start:end]), split at the largest power of two below its size
  async mth(start, end) {
    const n = end - start;
    if ((n & (n - 1)) === 0 && start % n === 0) return this.subtree(start, Math.log2(n));
    let k = 1;
    while (k * 2 < n) k *= 2;
    return nodeHash(await this.mth(start, start + k), await this.mth(start + k, end));
  }

  // RFC 9162 §2.1.3.1: PATH(m, D[start:end]), deepest first
  async path(m, start, end) {
    const n = end - start;
    if (n <= 1) return [];
    let k = 1;
    while (k * 2 < n) k *= 2;
    if (m < k) return [...(await this.path(m, start, start + k)), await this.mth(start + k, end)];
    return [...(await this.path(m - k, start + k, end)), await this.mth(start, start + k)];
  }
}

// RFC 9162 §2.1.3.2: the root an inclusion proof leads to.
async function rootFromInclusion(index, size, leaf, proof) {
  if (!(index >= 0 && index < size)) return null;
  let fn = index, sn = size - 1, r = leaf;
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

// The line as typed, back to its canonical JSON: sorted keys, no spaces, integers as integers.
function canonical(form) {
  const fields = {};
  for (const input of form.querySelectorAll("[data-key]")) {
    const key = input.dataset.key, kind = input.dataset.kind, value = input.value;
    if (kind === "int") {
      if (!/^-?(0|[1-9][0-9]*)$/.test(value.trim())) fail(`${key} 须为整数`, `${key} must be an integer`);
      fields[key] = Number(value.trim());
    } else if (kind === "json") {
      try { fields[key] = JSON.parse(value); } catch { fail(`${key} 不是 JSON`, `${key} is not JSON`); }
    } else {
      fields[key] = value.normalize("NFC");
    }
  }
  const sorted = (v) => (v && typeof v === "object" && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v);
  return JSON.stringify(sorted(fields));
}

const LABELS = {
  village: "村 / village", period: "期间 / period", category: "类别 / category",
  seq: "序号 / no.", date: "日期 / date", voucher_no: "凭证号 / voucher",
  summary: "摘要 / summary", amount_fen: "金额（分） / amount (fen)", format: "格式 / format",
};

function showEntry(entry) {
  const form = $("line");
  form.replaceChildren();
  for (const key of Object.keys(entry).sort()) {
    const value = entry[key];
    const id = `f-${key}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = LABELS[key] || key;
    const kind = Number.isInteger(value) ? "int" : typeof value === "object" ? "json" : "text";
    const input = document.createElement(kind === "json" ? "textarea" : "input");
    input.id = id;
    input.name = key;
    input.dataset.key = key;
    input.dataset.kind = kind;
    input.value = kind === "json" ? JSON.stringify(value) : String(value);
    if (kind === "int") input.inputMode = "numeric";
    form.append(label, input);
  }
}

function verdict(ok, details) {
  const box = $("verdict");
  box.className = ok ? "ok" : "bad";
  box.querySelector(".zh").textContent = ok ? "已验证" : "未通过";
  box.querySelector(".en").textContent = ok ? "Verified" : "Not verified";
  $("details").textContent = details;
}

function params() {
  return new URLSearchParams(location.hash.replace(/^#/, ""));
}

async function check(state) {
  const typed = enc.encode(canonical($("line")));
  const leaf = await leafHash(typed);
  const given = params().get("h");
  if (given && !same(b64(given), leaf)) {
    fail("这一行与二维码中的哈希不符", "the line does not match the hash in the QR code");
  }
  const vkey = await parseVkey($("vkey").value);
  const cp = await openCheckpoint(state.note, vkey);
  let root = null;
  const p = params().get("p");
  if (p) {
    const raw = b64(p);
    const proof = [];
    for (let at = 0; at + 32 <= raw.length; at += 32) proof.push(raw.slice(at, at + 32));
    root = await rootFromInclusion(state.index, cp.size, leaf, proof);
  }
  if (!root || !same(root, cp.root)) {
    const proof = await new Tiles(state.base, cp.size).path(state.index, 0, cp.size);
    root = await rootFromInclusion(state.index, cp.size, leaf, proof);
  }
  if (!root || !same(root, cp.root)) {
    fail("这一行不在已签名的公开日志中", "the line is not in the signed disclosure log");
  }
  return `第 ${state.index} 条，日志共 ${cp.size} 条，树根 ${hex(cp.root).slice(0, 16)}…，` +
    `签名 ${hex(vkey.keyId)}（${cp.by}） / entry ${state.index} of ${cp.size}, root ` +
    `${hex(cp.root).slice(0, 16)}…, key ${hex(vkey.keyId)} (${cp.by})`;
}

async function run(state) {
  try {
    verdict(true, await check(state));
  } catch (e) {
    verdict(false, e instanceof Failed ? e.message : `${e}`);
  }
}

async function main() {
  const district = location.pathname.split("/").filter(Boolean)[1];
  const base = `/log/${district}`;
  const state = { base, index: Number(params().get("i")) };
  try {
    if (!$("vkey").value) $("vkey").value = new TextDecoder().decode(await fetchBytes(base, "vkey")).trim();
    state.note = new TextDecoder().decode(await fetchBytes(base, "checkpoint"));
    const size = Number(state.note.split("\n")[1]);
    if (!Number.isInteger(state.index) || state.index < 0 || state.index >= size) {
      fail("链接中的序号不对", "the link's index is not in the log");
    }
    showEntry(JSON.parse(new TextDecoder().decode(await entryAt(base, state.index, size))));
  } catch (e) {
    verdict(false, e instanceof Failed ? e.message : `${e}`);
    return;
  }
  $("check").addEventListener("click", () => run(state));
  $("line").addEventListener("submit", (e) => { e.preventDefault(); run(state); });
  await run(state);
}

main();
