package dev.chanscope.binary;

/**
 * What a scan measured.
 *
 * @param functions      functions in the pclntab
 * @param textBytes      bytes of code decoded
 * @param instructions   instructions decoded
 * @param undecodable    functions whose decoding stopped before their end (a decoder bug or data in text)
 * @param misalignedBranchTargets direct branches inside a function whose target is not an
 *                       instruction boundary: a desynchronised decode (0 on every binary tested)
 * @param indirectCalls  calls through a register or memory, in every function
 * @param nanos          wall time of the scan
 */
public record ScanStats(int functions, long textBytes, long instructions, int undecodable,
                        int misalignedBranchTargets, int indirectCalls, long nanos) {

    public double millis() {
        return nanos / 1e6;
    }
}
