-- pgptls_proxyv2.lib.lua: a strict, incremental parser for the PROXY
-- protocol version 2 header that `pgptls s2s` sends before it relays an
-- authenticated s2s stream to Prosody (HAProxy "The PROXY protocol",
-- section 2.2). Pure Lua 5.4 with no Prosody dependency, so that the
-- module (mod_pgptls.lua) and a standalone test load the same code.
--
-- Usage:
--   local parser = proxyv2.new()
--   local header, rest_or_err = parser:feed(bytes)
--   header == nil, rest_or_err == nil   -> need more bytes
--   header == false, rest_or_err = msg  -> malformed: close the connection
--   header = table, rest_or_err = rest  -> done; rest = bytes after the header
-- After a verdict the parser keeps it: feeding more bytes is an error.

local string_unpack = string.unpack;
local string_byte = string.byte;
local string_format = string.format;

local M = {};

-- The 12-byte signature: \r\n\r\n\0\r\nQUIT\n (section 2.2).
M.SIGNATURE = "\r\n\r\n\0\r\nQUIT\n";

-- The fixed part: signature, ver_cmd, family, 16-bit length.
local FIXED_LENGTH = 16;

-- Caps on what a well-behaved `pgptls s2s` sends: an address block of at
-- most 36 bytes plus a domain (at most 1023 bytes, RFC 6120 §3.2.1 via
-- RFC 7622 §3.2) and a one-line description. Anything longer is refused.
M.MAX_LENGTH = 4096;
M.MAX_DOMAIN = 1023;
M.MAX_INFO = 1024;

-- TLV types (section 2.2.7, and the custom range 0xE0-0xEF of 2.2.8).
M.PP2_TYPE_CRC32C = 0x03;
M.PP2_TYPE_NOOP = 0x04;
M.PP2_TYPE_SSL = 0x20;
M.PP2_SUBTYPE_SSL_VERSION = 0x21;
M.PP2_TYPE_PGPTLS_DOMAIN = 0xE0;
M.PP2_TYPE_PGPTLS_INFO = 0xE1;

M.PP2_CLIENT_SSL = 0x01;
M.PP2_CLIENT_CERT_CONN = 0x02;
M.PP2_CLIENT_CERT_SESS = 0x04;

-- Address families with TCP (section 2.2, byte 14): 0x11 TCP over IPv4,
-- 0x21 TCP over IPv6. UNSPEC, UDP and UNIX sockets are refused: pgptls
-- relays TCP only.
local FAMILIES = {
	[0x11] = { name = "inet", address_bytes = 4, block = 12 };
	[0x21] = { name = "inet6", address_bytes = 16, block = 36 };
};

-- parse_ssl_tlv: the value of a PP2_TYPE_SSL TLV (section 2.2.5): client
-- (1 byte), verify (4 bytes, 0 = the client presented a certificate and it
-- was verified), then sub-TLVs. Returns a table or nil, error.
local function parse_ssl_tlv(value)
	if #value < 5 then
		return nil, "PP2_TYPE_SSL TLV shorter than its 5-byte client and verify fields";
	end
	local client, verify, pos = string_unpack(">I1I4", value);
	local ssl = { client = client, verify = verify };
	while pos <= #value do
		if #value - pos + 1 < 3 then
			return nil, "PP2_TYPE_SSL sub-TLV truncated";
		end
		local sub_type, sub_length = string_unpack(">I1I2", value, pos);
		pos = pos + 3;
		if sub_length > #value - pos + 1 then
			return nil, string_format("PP2_TYPE_SSL sub-TLV 0x%02x claims %d bytes, %d left",
				sub_type, sub_length, #value - pos + 1);
		end
		local sub_value = value:sub(pos, pos + sub_length - 1);
		pos = pos + sub_length;
		if sub_type == M.PP2_SUBTYPE_SSL_VERSION then
			if ssl.version then
				return nil, "PP2_SUBTYPE_SSL_VERSION appears twice";
			end
			ssl.version = sub_value;
		end
	end
	-- Section 2.2.5: PP2_CLIENT_SSL says the client connected over SSL/TLS;
	-- verify 0 that its certificate was verified. pgptls relays only such
	-- streams, so anything else means the header is not what pgptls sends.
	if ssl.client & M.PP2_CLIENT_SSL == 0 then
		return nil, "PP2_TYPE_SSL without PP2_CLIENT_SSL: the peer did not use TLS";
	end
	if ssl.verify ~= 0 then
		return nil, string_format("PP2_TYPE_SSL verify = %d: the peer's certificate was not verified", ssl.verify);
	end
	return ssl;
end

-- valid_domain: a lower-case domain of printable ASCII or UTF-8 without
-- spaces, slashes or '@' (RFC 7622 §3.2: a domainpart, here as pgptls
-- normalised it). Prosody's nameprep is applied by the module.
local function valid_domain(domain)
	if #domain == 0 or #domain > M.MAX_DOMAIN then
		return false;
	end
	if not utf8.len(domain) then
		return false;
	end
	if domain:find("[%z\1-\32\127/@%u]") then
		return false;
	end
	return true;
end

-- parse_tlvs: the TLV vector after the address block (section 2.2.7).
-- Unknown types are skipped as the spec requires; the ones pgptls uses are
-- checked. Returns the header table's fields or nil, error.
local function parse_tlvs(header, tlvs)
	local pos = 1;
	local seen = {};
	while pos <= #tlvs do
		if #tlvs - pos + 1 < 3 then
			return nil, "TLV truncated: fewer than 3 bytes for type and length";
		end
		local tlv_type, tlv_length = string_unpack(">I1I2", tlvs, pos);
		pos = pos + 3;
		if tlv_length > #tlvs - pos + 1 then
			return nil, string_format("TLV 0x%02x claims %d bytes, %d left", tlv_type, tlv_length, #tlvs - pos + 1);
		end
		local value = tlvs:sub(pos, pos + tlv_length - 1);
		pos = pos + tlv_length;
		if seen[tlv_type] and tlv_type ~= M.PP2_TYPE_NOOP then
			return nil, string_format("TLV 0x%02x appears twice", tlv_type);
		end
		seen[tlv_type] = true;
		if tlv_type == M.PP2_TYPE_PGPTLS_DOMAIN then
			if not valid_domain(value) then
				return nil, "TLV 0xE0 (authenticated domain) is empty, too long or not a lower-case domain";
			end
			header.domain = value;
		elseif tlv_type == M.PP2_TYPE_PGPTLS_INFO then
			if #value > M.MAX_INFO or value:find("[%z\1-\31\127]") then
				return nil, "TLV 0xE1 (how the peer was accepted) is too long or not one line";
			end
			header.info = value;
		elseif tlv_type == M.PP2_TYPE_SSL then
			local ssl, err = parse_ssl_tlv(value);
			if not ssl then
				return nil, err;
			end
			header.ssl = ssl;
		elseif tlv_type == M.PP2_TYPE_CRC32C then
			-- Section 2.2.7: a receiver that gets PP2_TYPE_CRC32C must check it;
			-- pgptls never sends one over loopback, so it is refused rather
			-- than accepted unchecked.
			return nil, "TLV PP2_TYPE_CRC32C is not supported";
		end
	end
	-- What pgptls always sends on an authenticated stream (the agreed
	-- interface): without the domain there is nothing to authenticate.
	if not header.domain then
		return nil, "no TLV 0xE0 (authenticated domain)";
	end
	if not header.ssl then
		return nil, "no PP2_TYPE_SSL TLV";
	end
	return header;
end

-- format_ipv4 / format_ipv6: text forms for logs and session.ip. The
-- module may replace them with Prosody's util.net.ntop.
local function format_ipv4(bytes)
	return string_format("%d.%d.%d.%d", string_byte(bytes, 1, 4));
end

local function format_ipv6(bytes)
	local groups = {};
	for i = 1, 16, 2 do
		groups[#groups + 1] = string_format("%x", string_unpack(">I2", bytes, i));
	end
	return table.concat(groups, ":");
end

-- parse_header: a complete header (FIXED_LENGTH + length bytes).
local function parse_header(data, family, length)
	local info = FAMILIES[family];
	if length < info.block then
		return nil, string_format("length %d is shorter than the %s address block (%d bytes)",
			length, info.name, info.block);
	end
	local n = info.address_bytes;
	local pos = FIXED_LENGTH + 1;
	local src = data:sub(pos, pos + n - 1);
	local dst = data:sub(pos + n, pos + 2 * n - 1);
	local src_port, dst_port = string_unpack(">I2I2", data, pos + 2 * n);
	local format = family == 0x11 and format_ipv4 or format_ipv6;
	local header = {
		family = info.name;
		src_addr_bytes = src;
		dst_addr_bytes = dst;
		src_addr = format(src);
		dst_addr = format(dst);
		src_port = src_port;
		dst_port = dst_port;
	};
	local tlvs = data:sub(FIXED_LENGTH + info.block + 1, FIXED_LENGTH + length);
	return parse_tlvs(header, tlvs);
end

local parser_methods = {};
local parser_mt = { __index = parser_methods };

-- check_fixed: validates what has arrived of the fixed 16 bytes, so that a
-- non-PROXY stream (plain XML from a proxy address) is refused at once
-- rather than after waiting for 16 bytes.
local function check_fixed(buffer)
	local have = math.min(#buffer, #M.SIGNATURE);
	if buffer:sub(1, have) ~= M.SIGNATURE:sub(1, have) then
		return nil, "no PROXY protocol v2 signature";
	end
	if #buffer >= 13 then
		local ver_cmd = string_byte(buffer, 13);
		-- Section 2.2, byte 13: high nibble version (2), low nibble command
		-- (0 LOCAL, 1 PROXY). LOCAL carries no peer: refused.
		if ver_cmd >> 4 ~= 2 then
			return nil, string_format("PROXY protocol version %d, expected 2", ver_cmd >> 4);
		end
		if ver_cmd & 0x0F ~= 1 then
			return nil, string_format("PROXY command 0x%x, expected 0x1 (PROXY)", ver_cmd & 0x0F);
		end
	end
	if #buffer >= 14 then
		local family = string_byte(buffer, 14);
		if not FAMILIES[family] then
			return nil, string_format("address family 0x%02x, expected 0x11 (TCP/IPv4) or 0x21 (TCP/IPv6)", family);
		end
	end
	if #buffer >= FIXED_LENGTH then
		local length = string_unpack(">I2", buffer, 15);
		if length > M.MAX_LENGTH then
			return nil, string_format("header length %d exceeds the cap of %d", length, M.MAX_LENGTH);
		end
	end
	return true;
end

-- feed: see the file comment.
function parser_methods:feed(data)
	if self.verdict ~= nil then
		return false, "parser fed after its verdict";
	end
	self.buffer = self.buffer .. (data or "");
	local ok, err = check_fixed(self.buffer);
	if not ok then
		self.verdict = false;
		return false, err;
	end
	if #self.buffer < FIXED_LENGTH then
		return nil, nil;
	end
	local length = string_unpack(">I2", self.buffer, 15);
	if #self.buffer < FIXED_LENGTH + length then
		return nil, nil;
	end
	local family = string_byte(self.buffer, 14);
	local header, parse_err = parse_header(self.buffer, family, length);
	if not header then
		self.verdict = false;
		return false, parse_err;
	end
	local rest = self.buffer:sub(FIXED_LENGTH + length + 1);
	self.buffer = "";
	self.verdict = true;
	return header, rest;
end

-- buffered: how many bytes wait for the rest of the header.
function parser_methods:buffered()
	return #self.buffer;
end

function M.new()
	return setmetatable({ buffer = "" }, parser_mt);
end

return M;
