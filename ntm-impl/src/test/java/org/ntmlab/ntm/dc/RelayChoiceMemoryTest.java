package org.ntmlab.ntm.dc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.keys.NodeKey;
import org.ntmlab.ntm.crypto.CipherSuite;
import org.ntmlab.ntm.node.NodeConfig;
import org.ntmlab.ntm.node.NtmNode;
import org.ntmlab.ntm.rs.RelayServer;
import org.ntmlab.ntm.transport.SelectorEventLoop;
import org.ntmlab.ntm.transport.memory.MemoryHost;
import org.ntmlab.ntm.transport.memory.MemoryNetwork;
import org.ntmlab.ntm.transport.memory.Segment;

/**
 * With several RSs the DC spreads relayed tunnels over them (paper section 3.2: "the DC
 * picks a suitable RS each time"), and never picks an RS that lacks a family the pair needs.
 */
class RelayChoiceMemoryTest {

    @Test
    void relayedTunnelsAreSpreadOverRelaysThatServeBothFamilies() throws Exception {
        List<AutoCloseable> closing = new ArrayList<>();
        try (MemoryNetwork net = new MemoryNetwork(5)) {
            Segment g4 = net.segment("g4", true);
            Segment g6 = net.segment("g6", true);
            SecureRandom rnd = new SecureRandom();
            List<RelayInfo> infos = new ArrayList<>();
            List<RelayServer> relays = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                MemoryHost h = net.host("rs" + i).attach(g4, "198.51.100.2" + i);
                InetSocketAddress v6 = null;
                if (i != 3) { // rs3 is IPv4-only: useless for v4 <-> v6
                    h.attach(g6, "2001:db8::2" + i);
                    v6 = new InetSocketAddress("2001:db8::2" + i, 7100);
                }
                byte[] secret = new byte[32];
                rnd.nextBytes(secret);
                SelectorEventLoop loop = new SelectorEventLoop("rs" + i);
                closing.add(loop);
                RelayServer rs = new RelayServer(i, secret, CipherSuite.AES_128_GCM,
                        new InetSocketAddress("198.51.100.2" + i, 7100), v6, h, loop);
                relays.add(rs);
                infos.add(new RelayInfo(i, new InetSocketAddress("198.51.100.2" + i, 7100), v6, secret));
            }
            Map<Long, NodeKey> keys = new HashMap<>();
            MemoryHost dcHost = net.host("dc").attach(g4, "198.51.100.10").attach(g6, "2001:db8::10");
            SelectorEventLoop dcLoop = new SelectorEventLoop("dc");
            closing.add(dcLoop);
            DirectionCoordinator dc = new DirectionCoordinator(new DcConfig("ntm.example",
                    new InetSocketAddress("198.51.100.10", 7000), new InetSocketAddress("2001:db8::10", 7000),
                    List.of(), infos, CipherSuite.AES_128_GCM, 10), dcHost, dcLoop,
                    id -> CompletableFuture.completedFuture(keys.get(id)));
            closing.add(dc);
            NtmNode mn = node(net, g4, "198.51.100.31", "mn", keys, rnd, closing);
            for (int i = 0; i < 4; i++) {
                NtmNode cn = node(net, g6, "2001:db8::4" + i, "cn" + i, keys, rnd, closing);
                assertThat(mn.resolve(cn.fqdn()).get(5, TimeUnit.SECONDS).path()).isEqualTo("relay");
            }
            Thread.sleep(200);
            assertThat(relays.get(0).counters().get("authorised")).isEqualTo(2);
            assertThat(relays.get(1).counters().get("authorised")).isEqualTo(2);
            assertThat(relays.get(2).counters().get("authorised")).isZero();
        } finally {
            for (AutoCloseable c : closing) {
                c.close();
            }
        }
    }

    static NtmNode node(MemoryNetwork net, Segment seg, String addr, String name, Map<Long, NodeKey> keys,
                        SecureRandom rnd, List<AutoCloseable> closing) throws Exception {
        MemoryHost h = net.host(name).attach(seg, addr);
        byte[] secret = new byte[32];
        rnd.nextBytes(secret);
        NodeKey k = new NodeKey(rnd.nextLong(), name + ".ntm.example", secret);
        keys.put(k.keyId(), k);
        SelectorEventLoop loop = new SelectorEventLoop(name);
        closing.add(loop);
        NtmNode n = new NtmNode(new NodeConfig(new InetSocketAddress("198.51.100.10", 7000),
                new InetSocketAddress("2001:db8::10", 7000), 7200, CipherSuite.AES_128_GCM), k, h, loop);
        closing.add(0, n);
        n.start().get(5, TimeUnit.SECONDS);
        return n;
    }
}
