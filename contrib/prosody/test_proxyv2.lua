-- test_proxyv2.lua: tests of pgptls_proxyv2.lib.lua with the Lua that
-- Debian's Prosody runs (/usr/bin/prosody: #!/usr/bin/env lua5.4).
--   lua5.4 test_proxyv2.lua [DIR_OF_THE_LIBRARY]
-- Prints one line per case and "N passed, N failed"; exits 1 on a failure.

local dir = arg[1] or (arg[0]:match("^(.*)/[^/]*$") or ".");
local proxyv2 = dofile(dir .. "/pgptls_proxyv2.lib.lua");

local passed, failed = 0, 0;

local function check(name, condition, detail)
	if condition then
		passed = passed + 1;
		print("ok   " .. name);
	else
		failed = failed + 1;
		print("FAIL " .. name .. (detail and (": " .. tostring(detail)) or ""));
	end
end

-- Builders: headers as the HAProxy spec (section 2.2) lays them out.
local function tlv(kind, value)
	return string.pack(">I1s2", kind, value);
end

local function ssl_tlv(client, verify, version)
	return tlv(0x20, string.pack(">I1I4", client, verify) .. (version and tlv(0x21, version) or ""));
end

local function header(options)
	options = options or {};
	local family = options.family or 0x11;
	local addresses = options.addresses;
	if not addresses then
		if family == 0x21 then
			addresses = string.rep("\0", 15) .. "\1" .. string.rep("\0", 15) .. "\2" .. string.pack(">I2I2", 40000, 5269);
		else
			addresses = string.char(192, 0, 2, 7, 127, 0, 0, 1) .. string.pack(">I2I2", 40000, 5269);
		end
	end
	local tlvs = options.tlvs or (tlv(0xE0, "b.example")
		.. tlv(0xE1, "cert=openpgp authority 0123ABCD certified 'xmpp:b.example'")
		.. ssl_tlv(0x07, 0, "TLSv1.2"));
	local body = addresses .. tlvs;
	local length = options.length or #body;
	return (options.signature or proxyv2.SIGNATURE) .. string.char(options.ver_cmd or 0x21, family)
		.. string.pack(">I2", length) .. body;
end

local stream = "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' from='b.example' to='a.example' version='1.0'>";

-- feed_all: feeds chunks in order; returns the final header/rest pair and
-- how many feeds answered "need more".
local function feed_all(chunks)
	local parser = proxyv2.new();
	local waits = 0;
	for i, chunk in ipairs(chunks) do
		local result, rest = parser:feed(chunk);
		if result == nil then
			waits = waits + 1;
		else
			return result, rest, waits, i;
		end
	end
	return nil, nil, waits, #chunks;
end

-- Good headers.
do
	local h, rest = feed_all({ header() .. stream });
	check("IPv4 header and stream in one read", h and h.domain == "b.example" and rest == stream, rest);
	check("IPv4 addresses and ports", h and h.src_addr == "192.0.2.7" and h.dst_addr == "127.0.0.1"
		and h.src_port == 40000 and h.dst_port == 5269);
	check("info and SSL TLVs", h and h.info:find("cert=openpgp", 1, true) and h.ssl.version == "TLSv1.2"
		and h.ssl.client == 7 and h.ssl.verify == 0);
end
do
	local h, rest = feed_all({ header({ family = 0x21 }) });
	check("IPv6 header alone, empty rest", h and h.family == "inet6" and h.src_addr == "0:0:0:0:0:0:0:1" and rest == "");
end
do
	local bytes = header() .. stream;
	local chunks = {};
	for i = 1, #bytes do
		chunks[i] = bytes:sub(i, i);
	end
	local h, rest, waits, at = feed_all(chunks);
	local header_length = #header();
	check("split one byte per read", h and rest == "" and waits == header_length - 1 and at == header_length,
		string.format("waits=%s at=%s", waits, at));
end
do
	local bytes = header();
	local h, rest = feed_all({ bytes:sub(1, 5), bytes:sub(6, 15), bytes:sub(16, 30), bytes:sub(31) .. stream });
	check("split across the signature, length and TLVs", h and rest == stream);
end
do
	local h = feed_all({ header({ tlvs = tlv(0x04, "") .. tlv(0xE0, "b.example") .. tlv(0x04, "x")
		.. tlv(0x42, "unknown") .. ssl_tlv(0x01, 0, nil) }) });
	check("unknown and NOOP TLVs are skipped", h and h.domain == "b.example" and h.info == nil);
end
do
	local addresses = string.char(192, 0, 2, 7, 127, 0, 0, 1) .. string.pack(">I2I2", 1, 2);
	local tlvs = tlv(0xE0, "b.example") .. ssl_tlv(0x07, 0, "TLSv1.3");
	local h = feed_all({ header({ addresses = addresses, tlvs = tlvs }) });
	check("TLSv1.3 and minimal TLVs", h and h.ssl.version == "TLSv1.3");
end

-- Truncated headers: never a verdict, always "need more".
do
	local bytes = header();
	for _, cut in ipairs({ 1, 12, 13, 15, 16, 27, #bytes - 1 }) do
		local h, err = proxyv2.new():feed(bytes:sub(1, cut));
		check("truncated at " .. cut .. " waits", h == nil and err == nil, err);
	end
end

-- Malformed headers: each refused with its reason.
local function refused(name, bytes, expected)
	local h, err = proxyv2.new():feed(bytes);
	check(name .. " refused", h == false and err and err:find(expected, 1, true), err);
end

refused("plain XML", stream, "no PROXY protocol v2 signature");
refused("PROXY v1 text", "PROXY TCP4 192.0.2.7 127.0.0.1 40000 5269\r\n", "no PROXY protocol v2 signature");
refused("one wrong signature byte", header({ signature = "\r\n\r\n\0\r\nQUIT\r" }), "no PROXY protocol v2 signature");
refused("early wrong byte", "\r\n\r\nX", "no PROXY protocol v2 signature");
refused("version 1", header({ ver_cmd = 0x11 }), "version 1");
refused("LOCAL command", header({ ver_cmd = 0x20 }), "command 0x0");
refused("command 2", header({ ver_cmd = 0x22 }), "command 0x2");
refused("UNSPEC family", header({ family = 0x00 }), "address family 0x00");
refused("UDP family", header({ family = 0x12 }), "address family 0x12");
refused("UNIX family", header({ family = 0x31 }), "address family 0x31");
refused("length over cap", header({ length = 4097 }):sub(1, 16), "exceeds the cap");
refused("length shorter than addresses", header({ addresses = "", tlvs = "", length = 4 }) .. "abcd", "shorter than the inet address block");
refused("no TLVs", header({ tlvs = "" }), "no TLV 0xE0");
refused("no domain TLV", header({ tlvs = ssl_tlv(7, 0, "TLSv1.2") }), "no TLV 0xE0");
refused("no SSL TLV", header({ tlvs = tlv(0xE0, "b.example") }), "no PP2_TYPE_SSL TLV");
refused("empty domain", header({ tlvs = tlv(0xE0, "") .. ssl_tlv(7, 0) }), "TLV 0xE0");
refused("upper-case domain", header({ tlvs = tlv(0xE0, "B.example") .. ssl_tlv(7, 0) }), "TLV 0xE0");
refused("domain with NUL", header({ tlvs = tlv(0xE0, "b.example\0evil") .. ssl_tlv(7, 0) }), "TLV 0xE0");
refused("domain with a space", header({ tlvs = tlv(0xE0, "b. example") .. ssl_tlv(7, 0) }), "TLV 0xE0");
refused("domain with @", header({ tlvs = tlv(0xE0, "u@b.example") .. ssl_tlv(7, 0) }), "TLV 0xE0");
refused("domain not UTF-8", header({ tlvs = tlv(0xE0, "b\xff.example") .. ssl_tlv(7, 0) }), "TLV 0xE0");
refused("domain too long", header({ tlvs = tlv(0xE0, string.rep("a", 1024)) .. ssl_tlv(7, 0) }), "TLV 0xE0");
refused("two domains", header({ tlvs = tlv(0xE0, "b.example") .. tlv(0xE0, "c.example") .. ssl_tlv(7, 0) }), "appears twice");
refused("info with newline", header({ tlvs = tlv(0xE0, "b.example") .. tlv(0xE1, "a\nb") .. ssl_tlv(7, 0) }), "TLV 0xE1");
refused("TLV length past the end", header({ tlvs = tlv(0xE0, "b.example") .. string.pack(">I1I2", 0xE1, 50) .. "short" }), "claims 50 bytes");
refused("TLV header cut", header({ tlvs = tlv(0xE0, "b.example") .. ssl_tlv(7, 0) .. "\xE1\0" }), "TLV truncated");
refused("SSL TLV too short", header({ tlvs = tlv(0xE0, "b.example") .. tlv(0x20, "\7\0\0") }), "shorter than its 5-byte");
refused("SSL without PP2_CLIENT_SSL", header({ tlvs = tlv(0xE0, "b.example") .. ssl_tlv(0x06, 0) }), "without PP2_CLIENT_SSL");
refused("SSL not verified", header({ tlvs = tlv(0xE0, "b.example") .. ssl_tlv(0x07, 1) }), "verify = 1");
refused("SSL sub-TLV past the end", header({ tlvs = tlv(0xE0, "b.example")
	.. tlv(0x20, string.pack(">I1I4", 7, 0) .. string.pack(">I1I2", 0x21, 9) .. "TLS") }), "sub-TLV 0x21 claims 9 bytes");
refused("SSL sub-TLV cut", header({ tlvs = tlv(0xE0, "b.example") .. tlv(0x20, string.pack(">I1I4", 7, 0) .. "\x21") }), "sub-TLV truncated");
refused("CRC32C", header({ tlvs = tlv(0x03, "\0\0\0\0") .. tlv(0xE0, "b.example") .. ssl_tlv(7, 0) }), "CRC32C");

do
	local parser = proxyv2.new();
	local first = parser:feed(stream);
	local again, err = parser:feed(header());
	check("a refused parser stays refused", first == false and again == false and err:find("after its verdict", 1, true));
end

print(string.format("%d passed, %d failed", passed, failed));
os.exit(failed == 0 and 0 or 1);
