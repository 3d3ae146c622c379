"""A stub authoritative DNS server on 127.0.0.1 for the DNS checker tests.

It answers over UDP from a table of zone-file lines, and never forwards a
query anywhere.
"""

from __future__ import annotations

import select
import socket
import threading
from collections import Counter, defaultdict

from dnslib import QTYPE, RCODE, RR, DNSRecord

HOST = "127.0.0.1"


class StubDnsServer:
    """Serve records from ``zone`` lines, such as ``'ex.test. 300 IN A 192.0.2.1'``.

    A name in the zone without records of the asked type gets NOERROR with
    an empty answer (NODATA); a name not in the zone gets NXDOMAIN. Names in
    ``servfail`` get SERVFAIL and names in ``silent`` get no response at
    all. With ``rotate`` on, each query of a record set gets it rotated by
    one more place than the query before. ``queries`` counts the queries
    per (name, type).
    """

    def __init__(
        self,
        zone: list[str],
        *,
        rotate: bool = False,
        servfail: tuple[str, ...] = (),
        silent: tuple[str, ...] = (),
    ) -> None:
        self.records: dict[tuple[str, str], list[RR]] = defaultdict(list)
        for line in zone:
            for record in RR.fromZone(line):
                key = (_normalise(str(record.rname)), QTYPE[record.rtype])
                self.records[key].append(record)
        self.names = {name for name, _ in self.records}
        self.rotate = rotate
        self.servfail = {_normalise(name) for name in servfail}
        self.silent = {_normalise(name) for name in silent}
        self.queries: Counter[tuple[str, str]] = Counter()

        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind((HOST, 0))
        self.port = self._socket.getsockname()[1]
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> StubDnsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        self._thread.join(timeout=2)
        self._socket.close()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            readable, _, _ = select.select([self._socket], [], [], 0.05)
            if not readable:
                continue
            data, client = self._socket.recvfrom(65535)
            reply = self._reply(DNSRecord.parse(data))
            if reply is not None:
                self._socket.sendto(reply.pack(), client)

    def _reply(self, request: DNSRecord) -> DNSRecord | None:
        name = _normalise(str(request.q.qname))
        qtype = QTYPE[request.q.qtype]
        self.queries[(name, qtype)] += 1
        if name in self.silent:
            return None

        reply = request.reply()
        if name in self.servfail:
            reply.header.rcode = RCODE.SERVFAIL
        elif name not in self.names:
            reply.header.rcode = RCODE.NXDOMAIN
        else:
            records = self.records.get((name, qtype), [])
            if self.rotate and records:
                shift = self.queries[(name, qtype)] % len(records)
                records = records[shift:] + records[:shift]
            for record in records:
                reply.add_answer(record)
        # Loopback carries any datagram size, so a large answer is sent
        # whole over UDP and never truncated.
        return reply


def _normalise(name: str) -> str:
    return name.rstrip(".").lower()
