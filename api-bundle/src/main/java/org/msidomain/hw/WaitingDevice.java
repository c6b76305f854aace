package org.msidomain.hw;

/**
 * A device the machine description lists that is not part of the machine yet.
 *
 * @param name   the device id it will have
 * @param kind   its kind
 * @param reason why it waits, in a sentence ({@code no device kind 'ntb' is installed})
 * @since 1.1
 */
public record WaitingDevice(String name, String kind, String reason) {
}
