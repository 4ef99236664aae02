/* ecourt: SHA-256 (FIPS 180-4), incremental, for files of any size read in slices.
 *
 * Browsers' crypto.subtle.digest hashes one buffer at a time and is missing on plain-http
 * origins other than localhost; this one takes data piece by piece, so a 2 GiB file is hashed
 * with memory for one slice. Our own code, no third-party library.
 *
 *   var h = EcourtSha256.create(); h.update(uint8Array); ... h.hex()  -> 64 lowercase hex
 *   EcourtSha256.hex(bytes)                   -> hex of one buffer (Uint8Array or ArrayBuffer)
 *   EcourtSha256.digestHex(arrayBuffer)       -> Promise of hex; crypto.subtle when there
 *   EcourtSha256.hashBlob(blob, onProgress)   -> Promise of hex; reads 4 MiB slices
 */
(function (global) {
  "use strict";

  var K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);

  function Sha256() {
    this.h = new Int32Array([
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
    ]);
    this.w = new Int32Array(64);
    this.block = new Uint8Array(64); // bytes waiting for a whole block
    this.filled = 0;
    this.length = 0; // bytes hashed so far (exact up to 2^53)
    this.done = false;
  }

  // Whole 64-byte blocks of ``bytes`` from ``offset`` to ``end`` (section 6.2.2); returns
  // where it stopped. State stays in locals across blocks: this loop is the hot path.
  function compress(h, w, bytes, offset, end) {
    var a, b, c, d, e, f, g, k, i, j, x, y, t1, t2;
    var h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3], h4 = h[4], h5 = h[5], h6 = h[6], h7 = h[7];
    while (end - offset >= 64) {
      for (i = 0; i < 16; i++) {
        j = offset + i * 4;
        w[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
      }
      for (i = 16; i < 64; i++) {
        x = w[i - 15]; y = w[i - 2];
        t1 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        t2 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (((t1 + w[i - 7]) | 0) + ((t2 + w[i - 16]) | 0)) | 0;
      }
      a = h0; b = h1; c = h2; d = h3; e = h4; f = h5; g = h6; k = h7;
      for (i = 0; i < 64; i++) {
        t1 = (((((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
          ((e & f) ^ (~e & g))) | 0) + ((k + ((K[i] + w[i]) | 0)) | 0) | 0;
        t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
          ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0;
        d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + k) | 0;
      offset += 64;
    }
    h[0] = h0; h[1] = h1; h[2] = h2; h[3] = h3; h[4] = h4; h[5] = h5; h[6] = h6; h[7] = h7;
    return offset;
  }

  Sha256.prototype.update = function (data) {
    if (this.done) throw new Error("sha256: update after digest");
    var bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    var n = bytes.length, i = 0;
    this.length += n;
    if (this.filled) {
      while (this.filled < 64 && i < n) this.block[this.filled++] = bytes[i++];
      if (this.filled < 64) return this;
      compress(this.h, this.w, this.block, 0, 64);
      this.filled = 0;
    }
    i = compress(this.h, this.w, bytes, i, n);
    while (i < n) this.block[this.filled++] = bytes[i++];
    return this;
  };

  // The digest as 32 bytes (section 5.1.1 padding: 0x80, zeros, 64-bit big-endian bit length).
  Sha256.prototype.digest = function () {
    if (!this.done) {
      var bits = this.length * 8;
      var high = Math.floor(bits / 0x100000000), low = bits >>> 0;
      var pad = new Uint8Array(this.filled < 56 ? 64 - this.filled : 128 - this.filled);
      pad[0] = 0x80;
      var end = pad.length;
      pad[end - 8] = high >>> 24; pad[end - 7] = high >>> 16; pad[end - 6] = high >>> 8; pad[end - 5] = high;
      pad[end - 4] = low >>> 24; pad[end - 3] = low >>> 16; pad[end - 2] = low >>> 8; pad[end - 1] = low;
      var length = this.length;
      this.update(pad);
      this.length = length;
      this.done = true;
    }
    var out = new Uint8Array(32);
    for (var i = 0; i < 8; i++) {
      out[i * 4] = this.h[i] >>> 24; out[i * 4 + 1] = this.h[i] >>> 16;
      out[i * 4 + 2] = this.h[i] >>> 8; out[i * 4 + 3] = this.h[i];
    }
    return out;
  };

  function toHex(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return s;
  }

  Sha256.prototype.hex = function () { return toHex(this.digest()); };

  function subtle() {
    return global.isSecureContext && global.crypto && global.crypto.subtle ? global.crypto.subtle : null;
  }

  var api = {
    create: function () { return new Sha256(); },
    hex: function (data) { return new Sha256().update(data).hex(); },
    // One buffer (an upload chunk): the browser's own code when it has it, else ours.
    digestHex: function (buffer) {
      var s = subtle();
      if (s) {
        return s.digest("SHA-256", buffer).then(function (d) { return toHex(new Uint8Array(d)); },
          function () { return api.hex(buffer); });
      }
      return Promise.resolve(api.hex(buffer));
    },
    // A whole file, slice by slice, so memory stays flat whatever its size.
    hashBlob: function (blob, onProgress, sliceBytes) {
      var step = sliceBytes || 4 * 1024 * 1024, h = new Sha256(), offset = 0;
      function next() {
        if (offset >= blob.size) return Promise.resolve(h.hex());
        var end = Math.min(offset + step, blob.size);
        return readSlice(blob.slice(offset, end)).then(function (buffer) {
          h.update(new Uint8Array(buffer));
          offset = end;
          if (onProgress) onProgress(offset, blob.size);
          return next();
        });
      }
      return next();
    }
  };

  function readSlice(slice) {
    if (slice.arrayBuffer) return slice.arrayBuffer();
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsArrayBuffer(slice);
    });
  }
  api.readSlice = readSlice;

  global.EcourtSha256 = api;
})(window);
