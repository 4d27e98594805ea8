package migration.cli;

import testkit.RunningTool;

/**
 * A command of the tool running in this process on a thread of its own, whose standard error is watched line by
 * line ({@link RunningTool}).
 *
 * @param running the running tool
 */
record RunningCommand(RunningTool running) {

    /** {@return {@code multifd <args>}, started} */
    static RunningCommand start(String... args) {
        return new RunningCommand(RunningTool.start(new MultifdTool(), "multifd-" + args[0], args));
    }

    /** {@return the address of a {@code receive}, from its {@code listening on} line} */
    String address() throws InterruptedException {
        return running.address();
    }

    /** {@return the outcome} Fails the test if the command runs more than 30 s longer. */
    Run result() throws Exception {
        return Run.of(running.result());
    }
}
