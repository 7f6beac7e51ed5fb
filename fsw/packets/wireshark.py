"""A Wireshark Lua dissector generated from the packet dictionary
(``fsw dict --wireshark FILE``; use ``tshark -X lua_script:FILE`` or put it in
Wireshark's personal plugins folder).

It decodes the space packets of the pcap export (``fsw decode --pcap``: one
packet per UDP datagram to port 52001) -- and any UDP payload on that port
holding back-to-back packets -- with every field by name:

- primary header: ``rpo.version``, ``rpo.type``, ``rpo.sec_hdr``, ``rpo.apid``,
  ``rpo.seq_flags``, ``rpo.seq``, ``rpo.length``;
- secondary header (CUC 4+2): ``rpo.cuc_coarse``, ``rpo.cuc_fine``,
  ``rpo.tai`` (TAI seconds since 1958), ``rpo.utc`` (UTC, TAI-UTC = 37 s);
- telecommands: ``rpo.key_id``, ``rpo.auth_seq``, ``rpo.mac``;
- ``rpo.packet`` (the packet's name), then each field as
  ``rpo.<PACKET>.<field>`` (e.g. ``rpo.GYRO.rate_B``, ``rpo.MODE_STATUS.mode``)
  with its unit in its label and enum names as value strings; an array adds
  one item per element;
- ``rpo.crc`` and ``rpo.crc_ok`` (the CRC-16 checked; an expert warning when
  it fails), an expert error on a length that does not match.

It works with the Lua 5.1-5.4 of Wireshark 3.x/4.x (bit operations through
``bit32``, ``bit`` or the native operators, whichever exists).
"""

from __future__ import annotations

from fsw.packets import codec
from fsw.packets.dictionary import DICTIONARY, Dictionary, PacketDef, field_layout

PROTO = "rpo"
#: UDP port of the pcap export (fsw_tools.archive.pcap.PCAP_UDP_PORT)
UDP_PORT = 52001

_INT = {"b": ("int8", 1), "B": ("uint8", 1), "h": ("int16", 2), "H": ("uint16", 2),
        "i": ("int32", 4), "I": ("uint32", 4), "l": ("int32", 4), "L": ("uint32", 4),
        "q": ("int64", 8), "Q": ("uint64", 8)}


def _lua_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _label(name: str, unit: str) -> str:
    return f"{name} [{unit}]" if unit else name


def _field_lines(pdef: PacketDef) -> tuple[list[str], list[str]]:
    """(ProtoField declarations, layout rows) of one packet's fields."""
    decls, rows = [], []
    for f in pdef.fields:
        key = f"{pdef.name}.{f.name}"
        abbr = f"{PROTO}.{key}"
        label = _lua_str(_label(f.name, f.unit))
        desc = _lua_str(f.description)
        lay = field_layout(f.type)
        if lay is None:
            decls.append(f'F[{_lua_str(key)}] = ProtoField.bytes("{abbr}", {label}, base.NONE, '
                         f"{desc})")
            rows.append(f'{{{_lua_str(key)}, "rest", 0, 1}}')
            continue
        ch = lay.fmt[-1]
        if lay.kind == "string":
            decls.append(f'F[{_lua_str(key)}] = ProtoField.string("{abbr}", {label}, base.ASCII, '
                         f"{desc})")
            rows.append(f'{{{_lua_str(key)}, "string", {lay.size}, 1}}')
        elif lay.kind == "bytes":
            decls.append(f'F[{_lua_str(key)}] = ProtoField.bytes("{abbr}", {label}, base.NONE, '
                         f"{desc})")
            rows.append(f'{{{_lua_str(key)}, "bytes", {lay.size}, 1}}')
        elif ch in "fd":
            kind, size = ("double", 8) if ch == "d" else ("float", 4)
            decls.append(f'F[{_lua_str(key)}] = ProtoField.{kind}("{abbr}", {label}, nil, '
                         f"{desc})")
            rows.append(f'{{{_lua_str(key)}, "number", {size}, {lay.count}}}')
        else:
            kind, size = _INT[ch]
            vs = "nil"
            if lay.kind == "enum":
                vs = "{" + ", ".join(f"[{v}] = {_lua_str(k)}" for k, v in
                                     sorted((lay.enum or {}).items(), key=lambda kv: kv[1])) + "}"
            decls.append(f'F[{_lua_str(key)}] = ProtoField.{kind}("{abbr}", {label}, base.DEC, '
                         f"{vs}, nil, {desc})")
            rows.append(f'{{{_lua_str(key)}, "number", {size}, {lay.count}}}')
    return decls, rows


def lua(dictionary: Dictionary = DICTIONARY) -> str:
    """The dissector's Lua source (deterministic: APID order)."""
    decls: list[str] = []
    table: list[str] = []
    for pdef in dictionary.sorted():
        d, rows = _field_lines(pdef)
        decls += d
        table.append(f"PACKETS[{pdef.apid}] = {{name = {_lua_str(pdef.name)}, "
                     f"tc = {'true' if pdef.is_tc else 'false'}, "
                     f"description = {_lua_str(pdef.description)}, fields = {{"
                     + ", ".join(rows) + "}}")
    return _TEMPLATE.format(
        proto=PROTO, port=UDP_PORT, idle=codec.APID_IDLE,
        declarations="\n".join(decls), packets="\n".join(table),
        tai1958_unix=378_691_200, tai_utc=37)


def write_lua(path: str, dictionary: Dictionary = DICTIONARY) -> None:
    """Write the dissector to ``path``."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(lua(dictionary))


_TEMPLATE = """\
-- Wireshark dissector of the RPO flight-software emulator's CCSDS space packets.
-- Generated from the packet dictionary (fsw/packets) by `fsw dict --wireshark FILE`;
-- do not edit. Use: tshark -X lua_script:FILE -r capture.pcap (UDP port {port}).

local rpo = Proto("{proto}", "RPO FSW space packet (CCSDS 133.0-B-2)")
local F = {{}}

F.version = ProtoField.uint16("{proto}.version", "Version", base.DEC, nil, 0xE000)
F.type = ProtoField.uint16("{proto}.type", "Type", base.DEC,
  {{[0] = "telemetry", [1] = "telecommand"}}, 0x1000)
F.sec_hdr = ProtoField.uint16("{proto}.sec_hdr", "Secondary header flag", base.DEC, nil, 0x0800)
F.apid = ProtoField.uint16("{proto}.apid", "APID", base.HEX_DEC, nil, 0x07FF)
F.seq_flags = ProtoField.uint16("{proto}.seq_flags", "Sequence flags", base.DEC,
  {{[0] = "continuation", [1] = "first", [2] = "last", [3] = "unsegmented"}}, 0xC000)
F.seq = ProtoField.uint16("{proto}.seq", "Sequence count", base.DEC, nil, 0x3FFF)
F.length = ProtoField.uint16("{proto}.length", "Data length - 1 [octets]", base.DEC)
F.cuc_coarse = ProtoField.uint32("{proto}.cuc_coarse", "CUC coarse time [s]", base.DEC, nil,
  nil, "TAI seconds since 1958-01-01")
F.cuc_fine = ProtoField.uint16("{proto}.cuc_fine", "CUC fine time [1/65536 s]", base.DEC)
F.tai = ProtoField.double("{proto}.tai", "On-board time [s TAI since 1958]")
F.utc = ProtoField.absolute_time("{proto}.utc", "On-board time (UTC)", base.UTC)
F.key_id = ProtoField.uint16("{proto}.key_id", "Key id", base.DEC)
F.auth_seq = ProtoField.uint32("{proto}.auth_seq", "Anti-replay sequence number", base.DEC)
F.mac = ProtoField.bytes("{proto}.mac", "MAC (AES-CMAC)")
F.crc = ProtoField.uint16("{proto}.crc", "CRC-16-CCITT", base.HEX)
F.crc_ok = ProtoField.bool("{proto}.crc_ok", "CRC good")
F.packet = ProtoField.string("{proto}.packet", "Packet")

{declarations}

local PACKETS = {{}}
{packets}

local fields = {{}}
for _, f in pairs(F) do fields[#fields + 1] = f end
rpo.fields = fields

local E_CRC = ProtoExpert.new("{proto}.crc_bad", "CRC mismatch", expert.group.CHECKSUM,
  expert.severity.WARN)
local E_LEN = ProtoExpert.new("{proto}.length_bad", "Length does not match the declaration",
  expert.group.MALFORMED, expert.severity.ERROR)
local E_APID = ProtoExpert.new("{proto}.apid_unknown", "APID not in the dictionary",
  expert.group.UNDECODED, expert.severity.NOTE)
rpo.experts = {{E_CRC, E_LEN, E_APID}}

local bxor, band, rshift, lshift
if bit32 then
  bxor, band, rshift, lshift = bit32.bxor, bit32.band, bit32.rshift, bit32.lshift
elseif bit then
  bxor, band, rshift, lshift = bit.bxor, bit.band, bit.rshift, bit.lshift
else
  bxor, band, rshift, lshift = load("return function(a, b) return a ~ b end, "
    .. "function(a, b) return a & b end, function(a, b) return a >> b end, "
    .. "function(a, b) return a << b end")()
end

local function crc16(tvb, off, n)
  local crc = 0xFFFF
  for i = off, off + n - 1 do
    crc = bxor(crc, lshift(tvb(i, 1):uint(), 8))
    for _ = 1, 8 do
      if band(crc, 0x8000) ~= 0 then
        crc = band(bxor(lshift(crc, 1), 0x1021), 0xFFFF)
      else
        crc = band(lshift(crc, 1), 0xFFFF)
      end
    end
  end
  return crc
end

local function fixed_size(pk)
  local n = 0
  for _, fd in ipairs(pk.fields) do
    if fd[2] ~= "rest" then n = n + fd[3] * fd[4] end
  end
  return n
end

local function dissect_one(tvb, off, pinfo, root)
  local avail = tvb:len() - off
  if avail < 6 then return avail end
  local total = tvb(off + 4, 2):uint() + 7
  if total > avail then total = avail end
  local w0 = tvb(off, 2):uint()
  local apid = band(w0, 0x07FF)
  local is_tc = band(w0, 0x1000) ~= 0
  local pk = PACKETS[apid]
  local name = pk and pk.name or (apid == {idle} and "IDLE" or string.format("APID 0x%03X", apid))
  local tree = root:add(rpo, tvb(off, total), "RPO space packet: " .. name)
  tree:add(F.version, tvb(off, 2))
  tree:add(F.type, tvb(off, 2))
  tree:add(F.sec_hdr, tvb(off, 2))
  tree:add(F.apid, tvb(off, 2))
  tree:add(F.seq_flags, tvb(off + 2, 2))
  tree:add(F.seq, tvb(off + 2, 2))
  tree:add(F.length, tvb(off + 4, 2))
  tree:add(F.packet, tvb(off, 2), name)
  local seq = band(tvb(off + 2, 2):uint(), 0x3FFF)
  pinfo.cols.protocol = "RPO"
  local info = string.format("%s seq=%d", name, seq)
  if total >= 12 then
    local coarse, fine = tvb(off + 6, 4):uint(), tvb(off + 10, 2):uint()
    local tai = coarse + fine / 65536
    local sec = tree:add(tvb(off + 6, 6), "Secondary header (CUC 4+2, TAI)")
    sec:add(F.cuc_coarse, tvb(off + 6, 4))
    sec:add(F.cuc_fine, tvb(off + 10, 2))
    sec:add(F.tai, tvb(off + 6, 6), tai)
    local unix = coarse - {tai1958_unix} - {tai_utc}
    sec:add(F.utc, tvb(off + 6, 6), NSTime(unix, math.floor(fine * 1e9 / 65536 + 0.5)))
    info = info .. string.format(" t=%.3f", tai)
  end
  local pos = off + 12
  local trailer = 2
  if is_tc and total >= 18 then
    tree:add(F.key_id, tvb(pos, 2))
    tree:add(F.auth_seq, tvb(pos + 2, 4))
    pos = pos + 6
    trailer = 18
  end
  if pk == nil then
    if apid ~= {idle} then tree:add_proto_expert_info(E_APID) end
  else
    local data = tree:add(tvb(pos, math.max(0, off + total - trailer - pos)),
      pk.name .. " user data")
    local want = 12 + (pk.tc and 6 + 16 or 0) + 2 + fixed_size(pk)
    local rest = total - want
    if rest < 0 or (rest > 0 and not pk.has_rest) then
      tree:add_proto_expert_info(E_LEN)
    end
    for _, fd in ipairs(pk.fields) do
      local key, kind, size, count = fd[1], fd[2], fd[3], fd[4]
      if kind == "rest" then size = math.max(0, rest) end
      if pos + size * count > off + total - trailer then break end
      for i = 1, count do
        if size > 0 then
          local r = tvb(pos, size)
          local item
          if kind == "string" then
            -- the field's own bytes up to its first NUL: a text that fills
            -- its field has none (stringz would read on into the next field)
            local s = r:raw()
            local z = s:find("\0", 1, true)
            if z then s = s:sub(1, z - 1) end
            item = data:add(F[key], r, s)
          else
            item = data:add(F[key], r)
          end
          if count > 1 then item:append_text(string.format(" [%d]", i - 1)) end
        end
        pos = pos + size
      end
    end
  end
  if total >= 8 then
    if is_tc and total >= 34 then tree:add(F.mac, tvb(off + total - 18, 16)) end
    local crc_item = tree:add(F.crc, tvb(off + total - 2, 2))
    local ok = crc16(tvb, off, total - 2) == tvb(off + total - 2, 2):uint()
    tree:add(F.crc_ok, tvb(off + total - 2, 2), ok)
    if not ok then crc_item:add_proto_expert_info(E_CRC) end
  end
  pinfo.cols.info = info
  return total
end

for _, pk in pairs(PACKETS) do
  for _, fd in ipairs(pk.fields) do
    if fd[2] == "rest" then pk.has_rest = true end
  end
end

function rpo.dissector(tvb, pinfo, root)
  local off = 0
  while off + 6 <= tvb:len() do
    off = off + dissect_one(tvb, off, pinfo, root)
  end
  return off
end

DissectorTable.get("udp.port"):add({port}, rpo)
"""
