package org.ntmlab.lab.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who talks to whom in a topology's connectivity matrix (docs/topology-format.md, "matrix"): the
 * MNs (rows, the ends that resolve and start the traffic) and the CNs (columns), and per-pair
 * expectations that override {@link PathOracle}'s rule table, e.g. for a NAT whose behaviour is
 * the point of the experiment. Every ordered pair of an MN and a different CN is one cell.
 *
 * @param mns    the row nodes; when the file says nothing, every node
 * @param cns    the column nodes; when the file says nothing, every node
 * @param pairs  when not empty, exactly these cells (MN -> CN) instead of every MN with every CN
 * @param expect overrides, at most one per cell
 */
public record Matrix(List<String> mns, List<String> cns, List<Cell> pairs, List<Expectation> expect) {

    public Matrix {
        mns = List.copyOf(mns);
        cns = List.copyOf(cns);
        pairs = List.copyOf(pairs);
        expect = List.copyOf(expect);
    }

    public Matrix(List<String> mns, List<String> cns, List<Expectation> expect) {
        this(mns, cns, List.of(), expect);
    }

    /** Every node against every other node: what a file without {@code matrix:} gets. */
    public static Matrix allPairs(List<Node> nodes) {
        List<String> names = nodes.stream().map(Node::name).toList();
        return new Matrix(names, names, List.of());
    }

    /** Just these cells; the grid's rows and columns are their MNs and CNs in order. */
    public static Matrix of(List<Cell> pairs, List<Expectation> expect) {
        return new Matrix(pairs.stream().map(Cell::mn).filter(n -> n != null).distinct().toList(),
                pairs.stream().map(Cell::cn).filter(n -> n != null).distinct().toList(), pairs, expect);
    }

    /**
     * An expected path for one cell, written in the file.
     *
     * @param path      {@code direct} or {@code relay}
     * @param optimised for {@code direct}: whether it comes from route optimisation (relay first);
     *                  null to let the rule table say
     * @param why       free text for the report (why the file overrides the rules)
     */
    public record Expectation(String mn, String cn, String path, Boolean optimised, String why) {
    }

    /** One cell: an MN and a CN. */
    public record Cell(String mn, String cn) {
        @Override
        public String toString() {
            return mn + " → " + cn;
        }
    }

    /** Every cell: the pairs when given, else row by row each MN with each CN other than itself. */
    public List<Cell> cells() {
        if (!pairs.isEmpty()) {
            return pairs.stream().filter(c -> c.mn() != null && c.cn() != null && !c.mn().equals(c.cn())).toList();
        }
        List<Cell> out = new ArrayList<>();
        for (String mn : mns) {
            for (String cn : cns) {
                if (!mn.equals(cn)) {
                    out.add(new Cell(mn, cn));
                }
            }
        }
        return out;
    }

    /** The file's override for a cell, if it has one. */
    public Optional<Expectation> override(String mn, String cn) {
        return expect.stream().filter(e -> e.mn().equals(mn) && e.cn().equals(cn)).findFirst();
    }
}
