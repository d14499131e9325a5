"""What the end-to-end suites, the docs checks and the benchmarks share: running `ansible` against the emulator
(``ansible_runs``), the fault matrix and its report, the AWX job slices, and the callback plugin that arms the emulator
before each task of a playbook of cells."""
