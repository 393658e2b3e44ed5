package org.ntmlab.mobility;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;

import org.ntmlab.ntm.node.NtmDatagramSocket;
import org.ntmlab.ntm.node.NtmNode;

/** One UDP echo through the tunnel (the CN's echo service, RFC 862). */
final class Table1Echo {

    private Table1Echo() {
    }

    static void echo(NtmNode from, NtmNode to) throws Exception {
        try (NtmDatagramSocket udp = new NtmDatagramSocket(from, 0)) {
            udp.setSoTimeout(2_000);
            byte[] out = {7, 7};
            udp.send(new DatagramPacket(out, out.length, to.virtualV4(), NtmNode.ECHO_PORT));
            DatagramPacket in = new DatagramPacket(new byte[16], 16);
            udp.receive(in);
            assertThat(in.getLength()).isEqualTo(2);
        }
    }
}
