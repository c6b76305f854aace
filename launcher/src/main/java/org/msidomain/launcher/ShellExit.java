package org.msidomain.launcher;

import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * The shell's {@code exit [STATUS]}: leaves the shell by stopping the framework, and the launcher exits with
 * STATUS (default 0). Registered by the launcher as a Gogo command in scope {@code gogo}, which both shells'
 * profiles search first ({@code SCOPE = 'gogo:*'}), so it wins over {@code system:exit(int)} (their profiles
 * add {@code java.lang.System}'s methods as commands, which made a bare {@code exit} fail). Gogo calls it by
 * reflection, so no Gogo class is linked here.
 */
public final class ShellExit {

    private final BundleContext context;
    private final AtomicInteger status = new AtomicInteger();

    ShellExit(BundleContext context) {
        this.context = context;
    }

    /** Leaves the shell with status 0. */
    public void exit() {
        exit(0);
    }

    /** Leaves the shell with this status. */
    public void exit(int code) {
        status.set(code);
        Bundle system = context.getBundle(0);
        Thread stopper = new Thread(() -> {
            try {
                system.stop(); // the shell bundle's stop closes the terminal and ends its thread
            } catch (BundleException e) {
                System.err.println("msi-launcher: exit: " + e.getMessage());
            }
        }, "msi-shell-exit");
        stopper.start();
    }

    int status() {
        return status.get();
    }
}
