#!/usr/bin/env python3
"""BFD failure-detection benchmark: Gannet and FRR bfdd side by side, same far peer, same cuts.

Topology (all in namespaces this script creates and removes; the root namespace is untouched):

    bfdbgan (Gannet, 10.60.0.1) ---veth--- bfdbfar (FRR bfdd, 10.60.0.2 / 10.61.0.2) ---veth--- bfdbfrr (FRR bfdd, 10.61.0.1)

The far namespace runs one FRR bfdd with a session to each detector. A cut is an nftables
egress drop rule in the far namespace (packets stop, the links stay up), applied once for
both detectors at the same instant. Both detectors' interfaces are captured with tcpdump;
for each cut and detector:
  last-rx -> Down = first Down (diag 1) packet the detector sends - last packet it received
  cut -> Down     = the same Down packet - the time the nft command returned
Gannet also reports its own (monotonic) last-rx and Down times as a cross-check.

Load phase: 100 sessions per detector (at 50 ms x 3, and 10 ms x 3) for DURATION seconds
with both cores saturated by stress-ng; false Downs are counted on every side.
"""
import argparse, os, shutil, signal, statistics, struct, subprocess, sys, tempfile, threading, time, random, re, json

NS_GAN, NS_FAR, NS_FRR = "bfdbgan", "bfdbfar", "bfdbfrr"
GAN, FAR_G, FAR_F, FRR = "10.60.0.1", "10.60.0.2", "10.61.0.2", "10.61.0.1"
IF_GAN, IF_FAR_G, IF_FAR_F, IF_FRR = "bfdbg0", "bfdbfg0", "bfdbff0", "bfdbr0"
LOAD_N = 100


def sh(*cmd, check=True, quiet=False):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} -> {r.returncode}: {r.stdout}")
    return r.stdout


def nsx(ns, *cmd, check=True):
    return sh("ip", "netns", "exec", ns, *cmd, check=check)


class Frr:
    """FRR bfdd in the foreground in a namespace, own config/sockets in a temp dir."""

    nice = False  # run bfdd at nice -20, set from --nice

    def __init__(self, ns, peers, interval, mult=3):
        self.ns = ns
        self.dir = tempfile.mkdtemp(prefix=f"bench-bfdd-{ns}-")
        os.chmod(self.dir, 0o777)
        conf = os.path.join(self.dir, "bfdd.conf")
        with open(conf, "w") as f:
            f.write("bfd\n")
            for peer, local in peers:
                f.write(f" peer {peer} local-address {local}\n  receive-interval {interval}\n"
                        f"  transmit-interval {interval}\n  detect-multiplier {mult}\n !\n")
            f.write("!\n")
        os.chmod(conf, 0o644)
        self.peers = peers
        chrt = ["nice", "-n", "-20"] if Frr.nice else []  # (chrt -f made bfdd starve the machine here)
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns] + chrt + ["/usr/lib/frr/bfdd", "-f", conf,
                                      "--vty_socket", self.dir, "-i", f"{self.dir}/bfdd.pid", "-u", "frr", "-g", "frr",
                                      "--bfdctl", f"{self.dir}/bfdd.sock", "-z", f"{self.dir}/zserv.api",
                                      "--log", f"file:{self.dir}/bfdd.log"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: os.path.exists(f"{self.dir}/bfdd.vty"), 10, "bfdd vty")

    def vtysh(self, *cmds):
        args = ["vtysh", "--vty_socket", self.dir]
        for c in cmds:
            args += ["-c", c]
        return sh(*args, check=False)

    def peers_json(self):
        out = self.vtysh("show bfd peers json")
        try:
            return json.loads(out)
        except ValueError:
            return []

    def counters(self):
        out = self.vtysh("show bfd peers counters json")
        try:
            return json.loads(out)
        except ValueError:
            return []

    def set_timers(self, interval, mult=3):
        cmds = ["configure terminal", "bfd"]
        for peer, local in self.peers:
            cmds += [f"peer {peer} local-address {local}", f"receive-interval {interval}",
                     f"transmit-interval {interval}", f"detect-multiplier {mult}", "exit"]
        self.vtysh(*cmds)

    def close(self):
        try:
            pid = open(f"{self.dir}/bfdd.pid").read().strip()
            sh("kill", "-9", pid, check=False)
        except OSError:
            pass
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Gannet:
    """The Java endpoint (GannetBfdEndpoint.java) in a namespace, driven over stdin/stdout."""

    def __init__(self, args, ns, local, iface, interval, peers):
        here = os.path.dirname(os.path.abspath(__file__))
        cmd = ["ip", "netns", "exec", ns] + (["nice", "-n", "-20"] if args.nice else []) + [args.java, "-XX:+UseZGC", "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch",
               "--enable-native-access=ALL-UNNAMED", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
               f"-Dgannet.bfd.rt={args.rt}",
               "-cp", args.cp, os.path.join(here, "GannetBfdEndpoint.java"), local, iface, str(interval), "3"] + peers
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.events = []
        self.replies = []
        self.cv = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        self._await(lambda: any(r.startswith("READY") for r in self.replies), 180, "Gannet READY")

    def _read(self):
        for line in self.proc.stdout:
            line = line.strip()
            with self.cv:
                if line.startswith("EVENT"):
                    w = line.split()
                    self.events.append(dict(peer=w[1], frm=w[2], to=w[3], diag=int(w[4]), at=int(w[5]) / 1e6,
                                            last_rx=int(w[6]) / 1e6))
                else:
                    self.replies.append(line)
                self.cv.notify_all()

    def _await(self, cond, timeout, what):
        end = time.time() + timeout
        with self.cv:
            while not cond():
                left = end - time.time()
                if left <= 0:
                    raise RuntimeError(f"timeout waiting for {what}")
                self.cv.wait(left)

    def command(self, line):
        with self.cv:
            n = len(self.replies)
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        self._await(lambda: len(self.replies) > n, 10, line)
        with self.cv:
            return self.replies[n]

    def status(self):
        r = self.command("status")
        return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", r)}

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(5)
        except Exception:
            self.proc.kill()


def wait_for(cond, timeout, what, step=0.02):
    end = time.time() + timeout
    while not cond():
        if time.time() > end:
            raise RuntimeError(f"timeout waiting for {what}")
        time.sleep(step)


def read_pcap(path):
    """(timestamp, src, state, diag) of every BFD control packet in an Ethernet/IPv4 pcap."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return out
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    nano = magic in (0xa1b23c4d, 0x4d3cb2a1)
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        pkt = data[off + 16: off + 16 + incl]
        off += 16 + incl
        if len(pkt) < 14 + 20 + 8 + 24 or pkt[12:14] != b"\x08\x00":
            continue
        ihl = (pkt[14] & 0x0f) * 4
        src = ".".join(str(b) for b in pkt[26:30])
        bfd = pkt[14 + ihl + 8:]
        out.append((sec + frac / (1e9 if nano else 1e6), src, bfd[1] >> 6, bfd[0] & 0x1f))
    return out


def setup_namespaces():
    for ns in (NS_GAN, NS_FAR, NS_FRR):
        sh("ip", "netns", "del", ns, check=False)
        sh("ip", "netns", "add", ns)
        nsx(ns, "ip", "link", "set", "lo", "up")

    def link(a, ia, aa, b, ib, ab):
        sh("ip", "link", "add", ia, "netns", a, "type", "veth", "peer", "name", ib, "netns", b)
        nsx(a, "ip", "addr", "add", aa, "dev", ia)
        nsx(b, "ip", "addr", "add", ab, "dev", ib)
        nsx(a, "ip", "link", "set", ia, "up")
        nsx(b, "ip", "link", "set", ib, "up")

    link(NS_GAN, IF_GAN, GAN + "/30", NS_FAR, IF_FAR_G, FAR_G + "/30")
    link(NS_FRR, IF_FRR, FRR + "/30", NS_FAR, IF_FAR_F, FAR_F + "/30")
    # Load-phase links: 100 addresses on the far side of each.
    link(NS_GAN, "bfdbg1", "10.62.0.1/16", NS_FAR, "bfdbfg1", "10.62.0.2/16")
    link(NS_FRR, "bfdbr1", "10.63.0.1/16", NS_FAR, "bfdbff1", "10.63.0.2/16")
    # FRR 8.4 keeps one session per peer address (same peer, other local address is
    # ignored), so every load-phase session gets its own address pair.
    batch = "".join(f"addr add 10.62.1.{i}/16 dev bfdbfg1\naddr add 10.63.1.{i}/16 dev bfdbff1\n"
                    for i in range(1, LOAD_N + 1))
    p = subprocess.run(["ip", "-n", NS_GAN, "-batch", "-"], input="".join(
        f"addr add 10.62.0.{i + 2}/16 dev bfdbg1\n" for i in range(1, LOAD_N + 1)), text=True)
    assert p.returncode == 0
    p = subprocess.run(["ip", "-n", NS_FRR, "-batch", "-"], input="".join(
        f"addr add 10.63.0.{i + 2}/16 dev bfdbr1\n" for i in range(1, LOAD_N + 1)), text=True)
    assert p.returncode == 0
    # 200+ neighbours per namespace exceed the ARP cache's gc_thresh1 (128): its garbage
    # collection then stalls packets behind fresh ARP resolutions and every session on the
    # link times out together. Permanent entries keep the load phase about BFD.
    def mac(ns, iface):
        return re.search(r"link/ether (\S+)", nsx(ns, "ip", "link", "show", iface)).group(1)

    for ns_a, if_a, ns_b, if_b, a_net, b_net in ((NS_GAN, "bfdbg1", NS_FAR, "bfdbfg1", "10.62.0", "10.62.1"),
                                                  (NS_FRR, "bfdbr1", NS_FAR, "bfdbff1", "10.63.0", "10.63.1")):
        mac_a, mac_b = mac(ns_a, if_a), mac(ns_b, if_b)
        to_b = "".join(f"neigh replace {b_net}.{i} lladdr {mac_b} nud permanent dev {if_a}\n" for i in range(1, LOAD_N + 1))
        to_a = "".join(f"neigh replace {a_net}.{i + 2} lladdr {mac_a} nud permanent dev {if_b}\n"
                       for i in range(1, LOAD_N + 1))
        assert subprocess.run(["ip", "-n", ns_a, "-batch", "-"], input=to_b, text=True).returncode == 0
        assert subprocess.run(["ip", "-n", ns_b, "-batch", "-"], input=to_a, text=True).returncode == 0
    p = subprocess.run(["ip", "-n", NS_FAR, "-batch", "-"], input=batch, text=True)
    assert p.returncode == 0


def teardown_namespaces():
    for ns in (NS_GAN, NS_FAR, NS_FRR):
        pids = sh("ip", "netns", "pids", ns, check=False).split()
        for pid in pids:
            sh("kill", "-9", pid, check=False)
        sh("ip", "netns", "del", ns, check=False)


CUT_RULES = "table inet bfdbcut {\n chain out {\n  type filter hook output priority 0;\n  udp dport 3784 drop\n }\n}\n"


def cut():
    p = subprocess.run(["ip", "netns", "exec", NS_FAR, "nft", "-f", "-"], input=CUT_RULES, text=True)
    assert p.returncode == 0
    return time.time()


def heal():
    nsx(NS_FAR, "nft", "delete", "table", "inet", "bfdbcut", check=False)


def frr_peer(frr, peer):
    for p in frr.peers_json():
        if p.get("peer") == peer:
            return p
    return {}


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def cut_phase(args, gannet, far, frr, interval, cuts, results):
    far.set_timers(interval)
    frr.set_timers(interval)
    gannet.command(f"timers {interval} 3")
    wait_for(lambda: gannet.status().get("up") == 1 and gannet.status().get("polling") == 0
             and frr_peer(frr, FAR_F).get("status") == "up"
             and frr_peer(frr, FAR_F).get("remote-transmit-interval") == interval
             and frr_peer(frr, FAR_F).get("transmit-interval") == interval, 30, f"Up at {interval} ms")
    time.sleep(1)
    tmp = tempfile.mkdtemp(prefix="bench-bfd-pcap-")
    caps = {}
    procs = []
    for name, ns, iface in (("gannet", NS_GAN, IF_GAN), ("frr", NS_FRR, IF_FRR)):
        path = os.path.join(tmp, name + ".pcap")
        caps[name] = path
        procs.append(subprocess.Popen(["ip", "netns", "exec", ns, "tcpdump", "-i", iface, "-n", "-U", "--immediate-mode",
                                       "-s", "128", "-w", path, "udp", "port", "3784"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(1.5)
    cut_times = []
    internal = []
    try:
        for k in range(cuts):
            time.sleep(random.uniform(0.5, 1.0))  # desynchronise the cut from the packet phase
            n_events = len(gannet.events)
            t_cut = cut()
            cut_times.append(t_cut)
            wait_for(lambda: any(e["frm"] == "Up" and e["to"] == "Down" for e in gannet.events[n_events:])
                     and frr_peer(frr, FAR_F).get("status") == "down", 10 + interval * 0.01, "both Down")
            for e in gannet.events[n_events:]:
                if e["frm"] == "Up" and e["to"] == "Down":
                    internal.append((e["at"] - e["last_rx"]) * 1000)
                    break
            time.sleep(0.2)
            heal()
            wait_for(lambda: gannet.status().get("up") == 1 and gannet.status().get("polling") == 0
                     and frr_peer(frr, FAR_F).get("status") == "up" and frr_peer(far, GAN).get("status") == "up"
                     and frr_peer(frr, FAR_F).get("remote-transmit-interval") == interval, 30, "Up again")
            time.sleep(0.5)
            print(f"  {interval} ms cut {k + 1}/{cuts} done", flush=True)
    finally:
        heal()
        time.sleep(0.5)
        for p in procs:
            p.send_signal(signal.SIGINT)
            p.wait()
    for name, local, remote in (("gannet", GAN, FAR_G), ("frr", FRR, FAR_F)):
        pkts = read_pcap(caps[name])
        lastrx, cutdown = [], []
        for t_cut in cut_times:
            downs = [p for p in pkts if p[0] > t_cut - 0.05 and p[1] == local and p[2] == 1 and p[3] == 1]
            if not downs:
                continue
            t_down = downs[0][0]
            rx = [p for p in pkts if p[1] == remote and p[0] < t_down]
            if not rx:
                continue
            lastrx.append((t_down - rx[-1][0]) * 1000)
            cutdown.append((t_down - t_cut) * 1000)
        results.append(dict(impl=name, interval=interval, cuts=len(lastrx), lastrx=lastrx, cutdown=cutdown,
                            internal=internal if name == "gannet" else []))
    shutil.rmtree(tmp, ignore_errors=True)


def load_phase(args, interval, duration, results):
    far_peers = [(f"10.62.0.{i + 2}", f"10.62.1.{i}") for i in range(1, LOAD_N + 1)] + \
                [(f"10.63.0.{i + 2}", f"10.63.1.{i}") for i in range(1, LOAD_N + 1)]
    far = Frr(NS_FAR, far_peers, interval)
    frr = Frr(NS_FRR, [(f"10.63.1.{i}", f"10.63.0.{i + 2}") for i in range(1, LOAD_N + 1)], interval)
    gannet = Gannet(args, NS_GAN, "10.62.0.1", "bfdbg1", interval,
                    [f"10.62.1.{i}/10.62.0.{i + 2}" for i in range(1, LOAD_N + 1)])
    stress = None
    try:
        def all_up():
            g = gannet.status()
            f = [p for p in frr.peers_json() if p.get("status") == "up"]
            return g.get("up") == LOAD_N and g.get("polling") == 0 and len(f) == LOAD_N

        try:
            wait_for(all_up, 60, f"{LOAD_N} sessions Up at {interval} ms", step=0.5)
        except RuntimeError:
            print("gannet:", gannet.status(), "frr up:", len([p for p in frr.peers_json() if p.get("status") == "up"]),
                  "far up:", len([p for p in far.peers_json() if p.get("status") == "up"]), flush=True)
            raise
        time.sleep(2)
        g0 = gannet.status()
        f0 = sum(p.get("session-down", 0) for p in frr.counters())
        far0 = {p.get("peer"): p.get("session-down", 0) for p in far.counters() if "session-down" in p}
        stress = None if args.no_stress else subprocess.Popen(["stress-ng", "--cpu", "2", "--cpu-method", "matrixprod", "--timeout", f"{duration}s",
                                   "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration + 1)
        if stress:
            stress.wait()
        stress = None
        time.sleep(1)
        g1 = gannet.status()
        f1 = sum(p.get("session-down", 0) for p in frr.counters())
        far1 = far.counters()
        far_g = sum(p.get("session-down", 0) - far0.get(p.get("peer"), 0) for p in far1
                    if p.get("peer", "").startswith("10.62."))
        far_f = sum(p.get("session-down", 0) - far0.get(p.get("peer"), 0) for p in far1
                    if p.get("peer", "").startswith("10.63."))
        diags = {}
        for e in gannet.events:
            if e["frm"] == "Up" and e["to"] == "Down":
                diags[e["diag"]] = diags.get(e["diag"], 0) + 1
        json.dump(gannet.events, open(f"/tmp/bfd-load-events-{interval}.json", "w"))
        print("  gannet Up->Down by diag:", diags, "before stress:", g0, flush=True)
        results.append(dict(interval=interval, duration=duration, sessions=LOAD_N,
                            gannet_false_downs=g1["flaps"] - g0["flaps"], frr_false_downs=f1 - f0,
                            far_downs_towards_gannet=far_g, far_downs_towards_frr=far_f))
    finally:
        if stress:
            stress.kill()
        gannet.close()
        frr.close()
        far.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--java", required=True)
    ap.add_argument("--cp", required=True)
    ap.add_argument("--quick", action="store_true", help="3 cuts per interval, 20 s load phases")
    ap.add_argument("--intervals", default="300,100,50,10")
    ap.add_argument("--skip-load", action="store_true")
    ap.add_argument("--load-only", action="store_true")
    ap.add_argument("--rt", type=int, default=0, help="SCHED_FIFO priority for Gannet's BFD threads (0: normal, as FRR runs)")
    ap.add_argument("--nice", action="store_true",
                    help="run every BFD speaker (each bfdd and Gannet's JVM) at nice -20, stress-ng at 0")
    ap.add_argument("--no-stress", action="store_true", help="load phase without stress-ng (baseline)")
    args = ap.parse_args()
    Frr.nice = args.nice
    cuts = 3 if args.quick else 10
    duration = 20 if args.quick else 120
    intervals = [int(x) for x in args.intervals.split(",")]
    cut_results, load_results = [], []
    setup_namespaces()
    try:
        far = Frr(NS_FAR, [(GAN, FAR_G), (FRR, FAR_F)], intervals[0])
        frr = Frr(NS_FRR, [(FAR_F, FRR)], intervals[0])
        gannet = Gannet(args, NS_GAN, GAN, IF_GAN, intervals[0], [FAR_G])
        try:
            for interval in ([] if args.load_only else intervals):
                print(f"cut phase: {interval} ms x 3, {cuts} cuts", flush=True)
                cut_phase(args, gannet, far, frr, interval, cuts, cut_results)
        finally:
            gannet.close()
            frr.close()
            far.close()
        if not args.skip_load:
            for interval in (50, 10):
                print(f"load phase: {LOAD_N} sessions at {interval} ms x 3 for {duration} s under stress-ng", flush=True)
                load_phase(args, interval, duration, load_results)
    finally:
        teardown_namespaces()

    print()
    print("Detection after the far side's packets stop (ms); detect time = 3 x I")
    print(f"{'impl':7} {'I':>4} {'n':>3} | {'lastrx->Down med':>16} {'max':>7} | {'cut->Down med':>13} {'max':>7} "
          f"| {'target med/max':>14} | {'Gannet internal med/max':>23}")
    for r in cut_results:
        i = r["interval"]
        if not r["lastrx"]:
            print(f"{r['impl']:7} {i:>4}   0 | no data")
            continue
        tgt = f"{3 * i + 2}/{3 * i + 5}" if i >= 50 else "report"
        inter = (f"{statistics.median(r['internal']):.2f}/{max(r['internal']):.2f}" if r["internal"] else "")
        print(f"{r['impl']:7} {i:>4} {r['cuts']:>3} | {statistics.median(r['lastrx']):>16.2f} {max(r['lastrx']):>7.2f} | "
              f"{statistics.median(r['cutdown']):>13.2f} {max(r['cutdown']):>7.2f} | {tgt:>14} | {inter:>23}")
    if load_results:
        print()
        print("False Downs under load (stress-ng --cpu 2)")
        for r in load_results:
            print(f"  {r['sessions']} sessions at {r['interval']} ms x 3 for {r['duration']} s: "
                  f"Gannet {r['gannet_false_downs']}, FRR {r['frr_false_downs']} "
                  f"(far bfdd: {r['far_downs_towards_gannet']} towards Gannet, {r['far_downs_towards_frr']} towards FRR)")
    print(json.dumps(dict(cuts=cut_results, load=load_results)), file=open("/tmp/bfd-bench-results.json", "w"))


if __name__ == "__main__":
    main()
