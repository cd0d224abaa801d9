#!/usr/bin/env python3
"""Writes a large ebgp-leaf topology profile: RACKS racks of HOSTS_PER_RACK hosts, two leaves
per rack, per-node ASNs, PodCIDRs allocated from the pool (none pinned), a few L4LB hosts per
rack and a handful of per-host overrides. Usage: generate.py [HOSTS] > big.yaml"""
import sys

hosts = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
per_rack = 40
racks = (hosts + per_rack - 1) // per_rack
out = sys.stdout.write
out(f"""apiVersion: gannet.io/v1alpha1
kind: TopologyProfile
metadata: {{name: bench-{hosts}}}
spec:
  model: ebgp-leaf
  asn: {{scheme: per-node, base: 4200000001}}
  podCIDRPool: {{cidr: 10.128.0.0/9, prefixLength: 24}}
  vipPool: [198.18.0.0/16]
  bgp: {{holdTime: 9, connectRetry: 5, maxPaths: 16, ttlSecurity: 1, md5: {{env: BENCH_MD5}}}}
  bfd: {{minTxMs: 300, minRxMs: 300, multiplier: 3}}
  communities: {{podCIDR: ["65000:1"], vip: ["65000:2"]}}
  inventory:
    racks:
""")
for r in range(racks):
    out(f"      - {{name: r{r}}}\n")
out("    switches:\n")
for r in range(racks):
    a, b = divmod(r, 250)
    for leaf in (1, 2):
        out(f"      - {{name: leaf-r{r}-{leaf}, rack: r{r}, addresses: [172.{16 + a}.{b}.{leaf}], asn: {4210000000 + r * 2 + leaf}}}\n")
out("    hosts:\n")
n = 0
for r in range(racks):
    a, b = divmod(r, 250)
    for i in range(per_rack):
        if n == hosts:
            break
        if i >= per_rack - 2:
            out(f"      - {{name: r{r}-lb{i}, address: 172.{16 + a}.{b}.{10 + i}, rack: r{r}, role: l4lb, vips: [198.18.{r % 256}.{i}]}}\n")
        else:
            out(f"      - {{name: r{r}-n{i}, address: 172.{16 + a}.{b}.{10 + i}, rack: r{r}}}\n")
        n += 1
out("  overrides:\n")
for r in range(0, racks, 10):
    out(f"    r{r}-n0: {{bgp: {{holdTime: 30}}, bfd: {{multiplier: 5}}}}\n")
