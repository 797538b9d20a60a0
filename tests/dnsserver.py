"""Authoritative DNS servers on loopback addresses, for testing the dns and tls probes offline.

Each server listens on its own 127.x.y.z address, all on one UDP port, and serves the zones it is
given the way an authoritative server does (RFC 1034 §4.3.2): answers with the AA flag, referrals
with glue at a zone cut, NXDOMAIN and NODATA with the SOA, DS answered by the parent. A server can
instead misbehave (refuse, answer without AA, or stay silent), which is what lame delegations do.
One more server plays the recursive resolver the probes look addresses up with: it answers from
every zone in the test, the most specific zone first.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone


def zone(origin: str, text: str) -> dns.zone.Zone:
    """A zone from master-file text; ``$TTL 300`` and a default SOA are added."""
    head = "$TTL 300\n@ SOA ns.invalid. hostmaster.invalid. 1 7200 3600 1209600 300\n"
    return dns.zone.from_text(head + text, origin=origin, relativize=False, check_origin=False)


@dataclass
class Server:
    address: str
    zones: list[dns.zone.Zone] = field(default_factory=list)
    #: "auth" (well-behaved), "refuse", "noaa" (answers without authority) or "silent"
    behaviour: str = "auth"
    #: the resolver role: answer from any zone, recursion available, no referrals
    recursive: bool = False
    queries: list[tuple[str, str, bool]] = field(default_factory=list)

    def answer(self, query: dns.message.Message) -> dns.message.Message | None:
        if self.behaviour == "silent":
            return None
        response = dns.message.make_response(query)
        question = query.question[0]
        self.queries.append(
            (question.name.to_text(), dns.rdatatype.to_text(question.rdtype), bool(query.flags & dns.flags.RD))
        )
        if self.behaviour == "refuse":
            response.set_rcode(dns.rcode.REFUSED)
            return response
        if self.recursive:
            response.flags |= dns.flags.RA
            self._recursive(question.name, question.rdtype, response)
        else:
            self._authoritative(question.name, question.rdtype, response)
            if self.behaviour == "noaa":
                response.flags &= ~dns.flags.AA
        return response

    def _recursive(self, qname: dns.name.Name, rdtype: int, response: dns.message.Message) -> None:
        for z in sorted(self.zones, key=lambda z: -len(z.origin)):
            if not qname.is_subdomain(z.origin):
                continue
            found = z.get_rdataset(qname, rdtype)
            if found is not None:
                response.answer.append(dns.rrset.from_rdata_list(qname, found.ttl, list(found)))
                return
        response.set_rcode(dns.rcode.NXDOMAIN)

    def _authoritative(self, qname: dns.name.Name, rdtype: int, response: dns.message.Message) -> None:
        hosted = [z for z in self.zones if qname.is_subdomain(z.origin)]
        if not hosted:
            response.set_rcode(dns.rcode.REFUSED)
            return
        z = max(hosted, key=lambda z: len(z.origin))
        cut = self._cut(z, qname)
        if cut is not None and not (rdtype == dns.rdatatype.DS and cut == qname):
            ns = z.get_rdataset(cut, dns.rdatatype.NS)
            response.authority.append(dns.rrset.from_rdata_list(cut, ns.ttl, list(ns)))
            for target in (r.target for r in ns):
                for glue_type in (dns.rdatatype.A, dns.rdatatype.AAAA):
                    glue = z.get_rdataset(target, glue_type) if target.is_subdomain(z.origin) else None
                    if glue is not None:
                        response.additional.append(dns.rrset.from_rdata_list(target, glue.ttl, list(glue)))
            return
        response.flags |= dns.flags.AA
        node = z.get_node(qname)
        soa = z.get_rdataset(z.origin, dns.rdatatype.SOA)
        if node is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
            response.authority.append(dns.rrset.from_rdata_list(z.origin, soa.ttl, list(soa)))
            return
        found = node.get_rdataset(dns.rdataclass.IN, rdtype)
        if found is None:
            response.authority.append(dns.rrset.from_rdata_list(z.origin, soa.ttl, list(soa)))
        else:
            response.answer.append(dns.rrset.from_rdata_list(qname, found.ttl, list(found)))

    @staticmethod
    def _cut(z: dns.zone.Zone, qname: dns.name.Name) -> dns.name.Name | None:
        """The highest delegation point in the zone at or above qname (not the apex)."""
        name = qname
        cut = None
        while name != z.origin and name.is_subdomain(z.origin):
            if z.get_rdataset(name, dns.rdatatype.NS) is not None:
                cut = name
            name = name.parent()
        return cut


class Network:
    """Several servers on one port, each on its own loopback address; started and stopped together."""

    def __init__(self) -> None:
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind(("127.0.0.1", 0))
        self.port: int = probe.getsockname()[1]
        probe.close()
        self.servers: dict[str, Server] = {}
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()

    def add(self, server: Server) -> Server:
        self.servers[server.address] = server
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((server.address, self.port))
        sock.settimeout(0.2)
        self._sockets.append(sock)
        thread = threading.Thread(target=self._serve, args=(sock, server), daemon=True)
        thread.start()
        self._threads.append(thread)
        return server

    def resolver(self, address: str, zones: Iterable[dns.zone.Zone]) -> Server:
        return self.add(Server(address, list(zones), recursive=True))

    def _serve(self, sock: socket.socket, server: Server) -> None:
        while not self._stop.is_set():
            try:
                wire, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                query = dns.message.from_wire(wire)
            except dns.exception.DNSException:
                continue
            response = server.answer(query)
            if response is not None:
                sock.sendto(response.to_wire(), peer)

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)
        for sock in self._sockets:
            sock.close()
