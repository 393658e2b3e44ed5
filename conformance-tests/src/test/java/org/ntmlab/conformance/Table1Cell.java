package org.ntmlab.conformance;

/**
 * One cell of Table 1 as measured: what the paper (and docs/protocol.md's path rules) expect,
 * and what the MN's control channel reported from live traffic.
 *
 * @param resolvePath path in the resolve reply (before route optimisation)
 * @param finalPath   path in the tunnel table after traffic (after route optimisation)
 * @param evidence    why the path is believed: the tunnel's peer endpoint or relay address
 */
record Table1Cell(String topology, String mn, String cn, String mnKind, String cnKind, String expected,
                  String resolvePath, String finalPath, boolean optimised, double setupMs, int echoSent,
                  int echoReceived, double rttMsP50, String evidence, String problem) {

    boolean pass() {
        return problem == null;
    }

    /** The paper's symbols: ◎ direct, ○ via the relay server. */
    String symbol() {
        return "direct".equals(finalPath) ? "◎" : "relay".equals(finalPath) ? "○" : "✗";
    }

    String json() {
        return "{\"topology\":\"" + topology + "\",\"mn\":\"" + mn + "\",\"cn\":\"" + cn + "\",\"mnKind\":\"" + mnKind
                + "\",\"cnKind\":\"" + cnKind + "\",\"expected\":\"" + expected + "\",\"resolvePath\":" + q(resolvePath)
                + ",\"finalPath\":" + q(finalPath) + ",\"optimised\":" + optimised + ",\"setupMs\":" + num(setupMs)
                + ",\"echoSent\":" + echoSent + ",\"echoReceived\":" + echoReceived + ",\"rttMsP50\":" + num(rttMsP50)
                + ",\"evidence\":" + q(evidence) + ",\"pass\":" + pass() + ",\"problem\":" + q(problem) + "}";
    }

    private static String num(double d) {
        return Double.isNaN(d) ? "null" : Double.toString(d);
    }

    private static String q(String s) {
        return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
