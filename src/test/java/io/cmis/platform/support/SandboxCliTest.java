package io.cmis.platform.support;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.UUID;

/** Tests of the real command line against the sandbox: a fresh bed, its CLI and an org per test. */
public abstract class SandboxCliTest {
    protected final String org = UUID.randomUUID().toString();
    protected PlatformTestBed bed;
    protected CliRun cli;

    @BeforeEach
    void startBed() {
        bed = new PlatformTestBed();
        cli = bed.cli();
    }

    @AfterEach
    void stopBed() {
        bed.close();
    }
}
