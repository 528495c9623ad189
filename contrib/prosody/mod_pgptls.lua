-- mod_pgptls: puts Prosody 0.12 behind `pgptls s2s`, which terminates TLS
-- for server-to-server links and authenticates peers with OpenPGP
-- authorities, pins and signed pins.
--
-- Inbound: a connection to Prosody's s2s port from one of
-- `pgptls_proxy_addresses` must begin with a PROXY protocol v2 header
-- (pgptls_proxyv2.lib.lua) carrying TLV 0xE0, the domain that pgptls
-- authenticated. The session then gets the real peer address, counts as
-- encrypted, and its certificate check says "valid" for that domain only,
-- so Prosody offers and accepts SASL EXTERNAL (RFC 6120 §6.4, XEP-0178)
-- and needs no dialback. Connections from other addresses are left alone.
--
-- Outbound: every new outgoing s2s connection goes to `pgptls_outbound`
-- (plain TCP on loopback) instead of DNS/SRV; pgptls reads the stream
-- header, resolves and authenticates `to`, and relays. Those sessions are
-- marked secure, and their certificate check says "valid" for `to_host`,
-- so Prosody uses SASL EXTERNAL when the remote offers it.
--
-- Configuration (global section):
--   modules_enabled = { ..., "pgptls" }
--   pgptls_proxy_addresses = { "127.0.0.1" }  -- default { "127.0.0.1", "::1" }
--   pgptls_outbound = "127.0.0.1:15270"       -- or pgptls_outbound_host / _port

module:set_global();

local proxyv2 = module:require("pgptls_proxyv2");
local filters = require "util.filters";
local set = require "util.set";
local nameprep = require "util.encodings".stringprep.nameprep;
local ntop = require "util.net".ntop;
local s2s_new_outgoing = require "core.s2smanager".new_outgoing;
local connect = require "net.connect".connect;
local manual_resolver = require "net.resolvers.manual";
local st = require "util.stanza";

local proxy_addresses = module:get_option_set("pgptls_proxy_addresses", { "127.0.0.1", "::1" });

-- parse_outbound: "HOST:PORT" or "[V6]:PORT" -> host, port.
local function parse_outbound(text)
	if not text then
		return nil;
	end
	local host, port = text:match("^%[(.+)%]:(%d+)$");
	if not host then
		host, port = text:match("^([^:]+):(%d+)$");
	end
	return host, tonumber(port);
end

local outbound_host, outbound_port = parse_outbound(module:get_option_string("pgptls_outbound"));
outbound_host = module:get_option_string("pgptls_outbound_host", outbound_host);
outbound_port = module:get_option_number("pgptls_outbound_port", outbound_port);
if not outbound_host or not outbound_port then
	module:log("error", "pgptls_outbound is not set (\"127.0.0.1:PORT\"): outgoing s2s will not go through pgptls");
end

local unauthed_stanza_size_limit = module:get_option_number("s2s_unauthed_stanza_size_limit", 10000, 1000);

-- mod_s2s owns the s2s listener and the bounce of queued stanzas; this
-- module reuses both rather than re-implementing them.
local s2s = module:depends("s2s");

local function s2s_listener()
	for _, provider in ipairs(s2s.module.items["net-provider"] or {}) do
		if provider.name == "s2s" then
			return provider.listener;
		end
	end
end

-- s2s_bounce_sendq: mod_s2s's bounce_sendq (a local function that
-- route_to_new_session stores in each new outgoing session). 0.12.3
-- exposes it only as an upvalue; read it once, read-only.
local function find_bounce_sendq()
	local route = s2s.route_to_new_session;
	if type(route) ~= "function" then
		return nil;
	end
	for i = 1, 64 do
		local name, value = debug.getupvalue(route, i);
		if name == nil then
			break;
		end
		if name == "bounce_sendq" then
			return value;
		end
	end
end

local bounce_sendq = find_bounce_sendq();
if not bounce_sendq then
	module:log("warn", "mod_s2s's bounce_sendq not found: stanzas queued on a failed pgptls link are dropped without error replies");
end

------------------------------------------------------------------------
-- Inbound: PROXY v2 from pgptls
------------------------------------------------------------------------

-- refuse: closes a proxied connection whose header is unusable.
local function refuse(session, reason)
	session.log("warn", "pgptls: refusing connection from %s: %s (is pgptls_proxy_addresses right, and is this `pgptls s2s`?)",
		session.conn and session.conn:ip() or "?", reason);
	session.pgptls_refused = true;
	-- RFC 6120 §4.9.3.12 not-authorized: the stream is not authenticated.
	session:close({ condition = "not-authorized", text = "pgptls: " .. reason });
end

-- accept_header: marks the session as authenticated by pgptls for the
-- TLV 0xE0 domain.
local function accept_header(session, header)
	local domain = nameprep(header.domain);
	if not domain or domain ~= header.domain then
		return refuse(session, "TLV 0xE0 domain '" .. header.domain .. "' is not in normalised (nameprep) form");
	end
	session.pgptls_domain = domain;
	session.pgptls_info = header.info;
	session.ip = ntop(header.src_addr_bytes) or header.src_addr;
	session.secure = true;
	session.encrypted = true;
	session.ssl_ctx = false; -- no STARTTLS offer: pgptls already did TLS
	session.log("info", "pgptls: stream from %s port %d authenticated for %s over %s (%s)",
		session.ip, header.src_port, domain, header.ssl.version or "TLS", header.info or "no details");
end

-- proxy_filter: the first `bytes/in` filter of a session from a proxy
-- address. It buffers until the PROXY header is complete, then passes the
-- bytes after it on unchanged (also when they arrive in the same read).
local function proxy_filter(data, session)
	if session.pgptls_refused then
		return nil; -- closing: nothing more reaches the XML parser
	end
	local parser = session.pgptls_parser;
	if not parser then
		return data; -- header done
	end
	local header, rest = parser:feed(data);
	if header == nil then
		return nil; -- wait for more
	end
	session.pgptls_parser = nil;
	if header == false then
		refuse(session, rest);
		return nil;
	end
	accept_header(session, header);
	if session.pgptls_refused or rest == "" then
		return nil;
	end
	return rest;
end

local function is_proxy_connection(session)
	local conn = session.conn;
	return conn ~= nil and proxy_addresses:contains(conn:ip());
end

-- New sessions: filters are initialised before any byte is read.
local function watch_new_session(session)
	if session.direction == "incoming" and session.type == "s2sin_unauthed"
	and not session.pgptls_parser and not session.pgptls_domain and is_proxy_connection(session) then
		session.pgptls_parser = proxyv2.new();
		filters.add_filter(session, "bytes/in", proxy_filter, 1000);
	end
end

filters.add_filter_hook(watch_new_session);

function module.unload()
	filters.remove_filter_hook(watch_new_session);
end

------------------------------------------------------------------------
-- Certificate check: SASL EXTERNAL instead of dialback
------------------------------------------------------------------------

-- Runs above mod_s2s_auth_certs (509), which would find no certificate on
-- a plain connection. RFC 6120 §13.7.2.1 / XEP-0178: EXTERNAL is offered
-- when the peer's identity was verified; pgptls verified it.
module:hook("s2s-check-certificate", function (event)
	local session, host = event.session, event.host;
	if session.pgptls_domain then
		session.cert_chain_status = "valid";
		if host == session.pgptls_domain then
			session.cert_identity_status = "valid";
			return true;
		end
		session.cert_identity_status = "invalid";
		session.log("warn", "pgptls: stream claims %s but pgptls authenticated %s", tostring(host), session.pgptls_domain);
		-- RFC 6120 §4.9.3.9 invalid-from: the from does not match the
		-- authenticated identity.
		session:close({ condition = "invalid-from",
			text = "pgptls authenticated " .. session.pgptls_domain .. ", not " .. tostring(host) });
		return false;
	end
	if session.pgptls_outbound then
		session.cert_chain_status = "valid";
		-- pgptls relays only after it verified that the peer is `to`.
		session.cert_identity_status = host == session.to_host and "valid" or "invalid";
		return session.cert_identity_status == "valid" or nil;
	end
end, 1000);

------------------------------------------------------------------------
-- Outbound: every new s2s link through pgptls
------------------------------------------------------------------------

local function route_via_pgptls(event)
	if not outbound_host then
		return; -- mod_s2s's own routing (DNS, TLS) applies
	end
	local from_host, to_host, stanza = event.from_host, event.to_host, event.stanza;
	local listener = s2s_listener();
	if not listener then
		module:log("error", "pgptls: mod_s2s's listener not found; cannot route to %s", to_host);
		return;
	end
	local session = s2s_new_outgoing(from_host, to_host);
	session.version = 1;
	session.stanza_size_limit = unauthed_stanza_size_limit;
	session.pgptls_outbound = true;
	session.secure = true;
	session.encrypted = true;
	session.ssl_ctx = false; -- pgptls does TLS; mod_tls must not STARTTLS
	session.bounce_sendq = bounce_sendq;
	session.sendq = { { tostring(stanza), stanza.attr.type ~= "error" and stanza.attr.type ~= "result" and st.reply(stanza) } };
	module:context(from_host):fire_event("s2sout-created", { session = session });
	session.log("info", "pgptls: routing s2s %s -> %s via pgptls at %s:%d", from_host, to_host, outbound_host, outbound_port);
	local resolver = manual_resolver.new({ { "tcp", outbound_host, outbound_port } }, "tcp");
	resolver.hostname = to_host;
	connect(resolver, listener, nil, { session = session });
	return true;
end

function module.add_host(host_module)
	-- After route_to_existing_session (-1), before mod_s2s's
	-- route_to_new_session (-10), which would resolve DNS itself.
	host_module:hook("route/remote", route_via_pgptls, -5);
end
