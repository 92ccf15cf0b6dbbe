'use strict';
// What the listener sent during the handshake, read off the socket next to
// mysql2 (plain TCP only: after a TLS upgrade mysql2 drops every 'data'
// listener of the raw socket). The packets say which plugin the client was
// switched to and which caching_sha2_password path the server took, which a
// successful login alone does not.
const net = require('node:net');

/** mysql2 connection options that record the server's bytes in `tap.bytes()`. */
function tapStream() {
  const chunks = [];
  const tap = {
    stream: (opts) => {
      const socket = net.connect(opts.config.port, opts.config.host);
      socket.on('data', (d) => chunks.push(Buffer.from(d)));
      return socket;
    },
    bytes: () => Buffer.concat(chunks),
  };
  return tap;
}

/**
 * Server packets of the connection phase, up to and including the first OK
 * (0x00) or ERR (0xff) after the greeting, as
 * { kind, payload } with kind 'greeting', 'switch', 'more', 'ok', 'err'.
 * Throws on a truncated stream, so a missing packet cannot pass unnoticed.
 */
function handshakePackets(bytes) {
  const packets = [];
  let off = 0;
  while (true) {
    if (off + 4 > bytes.length) throw new Error(`truncated handshake after ${packets.length} packets`);
    const len = bytes.readUIntLE(off, 3);
    if (off + 4 + len > bytes.length) throw new Error(`truncated packet ${packets.length}`);
    const payload = bytes.subarray(off + 4, off + 4 + len);
    off += 4 + len;
    const kinds = { 0x00: 'ok', 0xff: 'err', 0xfe: 'switch', 0x01: 'more' };
    const kind = packets.length === 0 ? 'greeting' : (kinds[payload[0]] || `0x${payload[0].toString(16)}`);
    packets.push({ kind, payload });
    if (kind === 'ok' || kind === 'err') return packets;
  }
}

/** The greeting's (or an auth switch's) plugin name. */
function pluginName(packet) {
  const p = packet.payload;
  if (packet.kind === 'switch') return p.subarray(1, p.indexOf(0, 1)).toString();
  // Greeting: the name is the last NUL-terminated string.
  const end = p[p.length - 1] === 0 ? p.length - 1 : p.length;
  return p.subarray(p.lastIndexOf(0, end - 1) + 1, end).toString();
}

module.exports = { tapStream, handshakePackets, pluginName };
