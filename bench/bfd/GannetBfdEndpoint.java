// Gannet's side of the BFD benchmark: run with the bfd module on the class path, inside the
// namespace the script created (ip netns exec ... java ... GannetBfdEndpoint.java ARGS).
//
//   args: LOCAL_ADDR IFACE INTERVAL_MS MULT PEER[/LOCAL] [PEER[/LOCAL]...]
//   stdin:  "timers MS MULT"   change every session's timers at runtime (Poll/Final)
//           "status"           print "STATUS up=N total=N flaps=N detections=N"
//           "quit"
//   stdout: "EVENT peer from to diag wall_us last_rx_wall_us" for every state change
//
// Wall-clock microseconds come from the monotonic clock plus an offset taken once at start,
// so they are comparable with tcpdump's timestamps to well under a millisecond.
// -Dgannet.bfd.rt=N runs BFD's timer and receive threads SCHED_FIFO at priority N.
import io.gannet.bfd.BfdPeerSpec;
import io.gannet.bfd.BfdService;
import io.gannet.bfd.BfdServiceOptions;
import io.gannet.bfd.BfdSessionHandle;
import io.gannet.bfd.BfdSessionStatus;
import io.gannet.bfd.BfdStateChange;
import io.gannet.bfd.wire.BfdState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

public class GannetBfdEndpoint {
    static long offsetMicros;

    static long wall(long nanos) {
        return nanos == Long.MIN_VALUE ? 0 : nanos / 1000 + offsetMicros;
    }

    public static void main(String[] args) throws Exception {
        Instant i = Instant.now();
        offsetMicros = i.getEpochSecond() * 1_000_000 + i.getNano() / 1000 - System.nanoTime() / 1000;
        InetAddress local = InetAddress.getByName(args[0]);
        String iface = args[1];
        int ms = Integer.parseInt(args[2]);
        int mult = Integer.parseInt(args[3]);
        BfdService service = BfdService.start(BfdServiceOptions.defaults().withIpv6(false)
                .withRealtimePriority(Integer.getInteger("gannet.bfd.rt", 0)));
        List<BfdSessionHandle> handles = new ArrayList<>();
        for (int a = 4; a < args.length; a++) {
            String[] pl = args[a].split("/");
            InetAddress from = pl.length > 1 ? InetAddress.getByName(pl[1]) : local;
            BfdPeerSpec spec = BfdPeerSpec.singleHop(InetAddress.getByName(pl[0]), from, iface, Duration.ofMillis(ms), mult);
            handles.add(service.request(spec, GannetBfdEndpoint::print));
        }
        System.out.println("READY " + handles.size());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split("\\s+");
            switch (w[0]) {
                case "timers" -> {
                    Duration d = Duration.ofMillis(Integer.parseInt(w[1]));
                    for (BfdSessionHandle h : handles) {
                        h.updateTimers(d, d, Integer.parseInt(w[2]));
                    }
                    System.out.println("OK");
                }
                case "status" -> {
                    int up = 0;
                    long flaps = 0;
                    long detections = 0;
                    long polls = 0;
                    for (BfdSessionHandle h : handles) {
                        BfdSessionStatus s = h.status();
                        up += s.state() == BfdState.UP ? 1 : 0;
                        flaps += s.flaps();
                        detections += s.detectionEvents();
                        polls += s.pollActive() ? 1 : 0;
                    }
                    System.out.println("STATUS up=" + up + " total=" + handles.size() + " flaps=" + flaps
                            + " detections=" + detections + " polling=" + polls);
                }
                case "quit" -> {
                    service.close();
                    System.out.println("BYE");
                    System.out.flush();
                    System.exit(0);
                }
                default -> System.out.println("ERR " + line);
            }
            System.out.flush();
        }
        service.close();
    }

    static synchronized void print(BfdStateChange c) {
        if (c.initial()) {
            return;
        }
        System.out.println("EVENT " + c.key().peer().getHostAddress() + " " + c.from().displayName() + " "
                + c.to().displayName() + " " + c.diagnostic().code() + " " + wall(c.monotonicNanos()) + " "
                + wall(c.lastReceivedNanos()));
        System.out.flush();
    }
}
