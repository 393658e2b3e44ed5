package org.ntmlab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

/** The bench reports' JSON: valid, escaped, and in the layout these files have always had. */
class ReportJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void layoutIsOneEntryPerLineWithObjectsInArraysAndDeepContainersOnOneLine() {
        String json = ReportJson.write(2, (g, layout) -> {
            g.writeStartObject();
            g.writeStringField("a", "x");
            layout.sameLine();
            g.writeNumberField("b", 1);
            ReportJson.number(g, "c", Double.NaN, 3);
            g.writeArrayFieldStart("rows");
            g.writeStartObject();
            ReportJson.number(g, "v", 1.5, 4);
            g.writeStringField("w", "y");
            g.writeEndObject();
            g.writeStartObject();
            g.writeEndObject();
            g.writeEndArray();
            g.writeObjectFieldStart("nested");
            g.writeObjectFieldStart("deep");
            g.writeNumberField("n", 2);
            g.writeEndObject();
            g.writeEndObject();
            g.writeArrayFieldStart("empty");
            g.writeEndArray();
            g.writeEndObject();
        });
        assertThat(json).isEqualTo("""
                {
                  "a": "x", "b": 1,
                  "c": null,
                  "rows": [
                    {"v": 1.5000, "w": "y"},
                    {}
                  ],
                  "nested": {
                    "deep": {"n": 2}
                  },
                  "empty": [
                  ]
                }
                """);
    }

    @Test
    void stringsAreEscaped() throws Exception {
        String nasty = "a \"quoted\" back\\slash\u0001 and\nnewline";
        String json = ReportJson.write(1, (g, layout) -> {
            g.writeStartObject();
            g.writeStringField(nasty, nasty);
            g.writeEndObject();
        });
        JsonNode back = MAPPER.readTree(json);
        assertThat(back.get(nasty).asText()).isEqualTo(nasty);
    }

    @Test
    void table2JsonIsValidAndKeepsItsLayout() throws Exception {
        Map<String, Table2Report.Measured> m = new LinkedHashMap<>();
        for (String k : new String[] {"virtualIp", "kernelSend", "encryptCbc", "macCbc", "sealCbc", "sealGcm",
            "sealChaCha", "pipelineCbc", "pipelineGcm", "pipelineChaCha"}) {
            m.put("send." + k, new Table2Report.Measured("send." + k, 500, 600, 700, Double.NaN));
        }
        for (String k : new String[] {"virtualIp", "kernelReceive", "decryptCbc", "macVerifyCbc", "openCbc", "openGcm",
            "openChaCha", "pipelineCbc", "pipelineGcm", "pipelineChaCha"}) {
            m.put("receive." + k, new Table2Report.Measured("receive." + k, 400, 500, 600, 0));
        }
        String json = Table2Report.json(m, true);
        JsonNode root = MAPPER.readTree(json);
        assertThat(root.get("cbcHmac").get("send")).hasSize(6);
        assertThat(root.get("gcm").get("receive").get(0).get("oursUs").asDouble()).isEqualTo(0.4);
        assertThat(root.get("benchmarks")).hasSize(20);
        assertThat(json).startsWith("{\n  \"unit\": \"us per 1024-byte UDP packet\",\n  \"quick\": true,\n")
                .contains("\n  \"cbcHmac\": {\n    \"send\": [\n      {\"item\": \"virtual IP\", \"paperUs\": 1250.0000,"
                        + " \"oursUs\": 0.5000, \"ratio\": 2500.0000, \"allocBytesPerOp\": null,"
                        + " \"source\": \"send.virtualIp\"},\n")
                .contains("\n    ]\n  },\n  \"gcm\": {\n")
                .contains("\n    {\"name\": \"receive.pipelineChaCha\", \"medianNs\": 400.0000, \"meanNs\": 500.0000,"
                        + " \"p90Ns\": 600.0000, \"allocBytesPerOp\": 0.0000}\n  ]\n}\n");
    }

    @Test
    void tcpJsonIsValidAndKeepsItsLayout() throws Exception {
        TcpReport.Settings s = new TcpReport.Settings(1 << 20, 1 << 20, 3, 50, 200, 10_000_000L, 50_000_000L, true,
                true);
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpu.put("loopA", 45.6789);
        cpu.put("loopB", Double.NaN);
        TcpReport.Result r = new TcpReport.Result(s, "0.10 0.20 0.30", "1.00 2.00 3.00", 1452, 1376,
                new TcpReport.Summary(1e5, 9e4, 1.1e5, 3), new TcpReport.Summary(2e5, 1e5, 3e5, 3),
                new TcpReport.Summary(2.5e5, 1e5, 3e5, 3), new TcpReport.Summary(900.5, 800.25, 1000.125, 3),
                new TcpReport.Summary(100.5, 90, 110, 3), new TcpReport.Summary(50, 40, 60, 3), 7,
                new TcpReport.Latency(10, 20, 30, 15.5, 200), new TcpReport.Latency(40, 50, 60, Double.NaN, 200),
                new TcpReport.Latency(70, 80, 90, 75, 200), Map.of("segmentsOutA", 123L), cpu, Map.of(), 4, 56);
        String json = TcpReport.json(r);
        JsonNode root = MAPPER.readTree(json);
        assertThat(root.get("ntmTcpMBps").get("median").asDouble()).isEqualTo(100.5);
        assertThat(root.get("roundTripUs").get("ntm").get("mean").isNull()).isTrue();
        assertThat(root.get("whatIfDefaultBuffersUdpRcvbufErrors").asLong()).isEqualTo(7);
        assertThat(json).contains("\n  \"loadBefore\": \"0.10 0.20 0.30\", \"loadAfter\": \"1.00 2.00 3.00\",\n"
                        + "  \"bulkBytes\": 1048576, \"trials\": 3, \"rrSamples\": 200,\n"
                        + "  \"datagramBytes\": 1452, \"mss\": 1376,\n"
                        + "  \"udpReceivedPerSecond\": {\"median\": 200000.000, \"min\": 100000.000,"
                        + " \"max\": 300000.000, \"n\": 3},\n")
                .contains("\n  \"whatIfNtmTcpDefaultSocketBuffersMBps\": {\"median\": 50.000, \"min\": 40.000,"
                        + " \"max\": 60.000, \"n\": 3}, \"whatIfDefaultBuffersUdpRcvbufErrors\": 7,\n")
                .contains("\n  \"ntmCpuPercent\": {\"loopA\": 45.679, \"loopB\": null},\n  \"ntmLimits\": {},\n")
                .endsWith("\n  \"gcCount\": 4, \"gcMillis\": 56\n}\n");
    }
}
