package org.msidomain.app.internal;

/**
 * A command's positional arguments checked against its usage line. The {@code msi:*} commands take their
 * arguments as strings and check them here, so a wrong count or a wrong type is one line naming the
 * argument and the command's usage, instead of Gogo's {@code Cannot coerce alloc(Token, Token)}.
 */
final class Args {

    private final String usage;
    private final String[] args;

    private Args(String usage, String[] args) {
        this.usage = usage;
        this.args = args;
    }

    /**
     * @param usage the command's usage line, e.g. {@code msi:alloc DEVICE COUNT [VARIANT]}
     * @throws IllegalArgumentException {@code usage: <usage>} unless there are {@code min} to {@code max}
     */
    static Args of(String usage, String[] args, int min, int max) {
        String[] given = args == null ? new String[0] : args;
        if (given.length < min || given.length > max) {
            throw new IllegalArgumentException("usage: " + usage);
        }
        return new Args(usage, given);
    }

    int size() {
        return args.length;
    }

    String text(int i) {
        return args[i];
    }

    String text(int i, String absent) {
        return i < args.length ? args[i] : absent;
    }

    /** A decimal integer named {@code name} in the usage line. */
    int integer(int i, String name) {
        try {
            return Integer.parseInt(args[i].trim());
        } catch (NumberFormatException e) {
            throw refused(name + " '" + args[i] + "' is not a number");
        }
    }

    /** A decimal integer, or {@code absent} if the argument is not given. */
    int integer(int i, String name, int absent) {
        return i < args.length ? integer(i, name) : absent;
    }

    /**
     * A hexadecimal number, with or without {@code 0x}, as lspci and {@code msi:write} print them, of at
     * most {@code bits} bits.
     */
    long hex(int i, String name, int bits) {
        String text = args[i].trim();
        String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        long value;
        try {
            if (digits.isEmpty() || digits.startsWith("+") || digits.startsWith("-")) {
                throw new NumberFormatException();
            }
            value = Long.parseUnsignedLong(digits, 16);
        } catch (NumberFormatException e) {
            throw refused(name + " '" + args[i] + "' is not a hexadecimal number");
        }
        if (bits < 64 && (value >>> bits) != 0) {
            throw refused(name + " " + text + " is wider than " + bits + " bits");
        }
        return value;
    }

    /** One line: what is wrong with an argument, then the usage. */
    IllegalArgumentException refused(String problem) {
        return new IllegalArgumentException(problem + "; usage: " + usage);
    }
}
