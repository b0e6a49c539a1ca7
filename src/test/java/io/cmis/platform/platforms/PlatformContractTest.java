package io.cmis.platform.platforms;

import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Runs the contract for one platform: a fresh sandbox and database per test. */
abstract class PlatformContractTest implements ConnectorContract {
    protected PlatformTestBed bed;
    protected CallContext context;

    /** A valid context for data calls, with a token the platform's simulator issued. */
    protected abstract CallContext newContext(PlatformTestBed bed);

    @BeforeEach
    void startBed() {
        bed = new PlatformTestBed();
        context = newContext(bed);
    }

    @AfterEach
    void stopBed() {
        bed.close();
    }

    @Override
    public PlatformTestBed bed() {
        return bed;
    }

    @Override
    public CallContext context() {
        return context;
    }
}
