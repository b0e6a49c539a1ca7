package io.cmis.platform.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Builds the effective configuration: the defaults file, then {@code --config FILE}, then the
 * environment ({@code CMIS_} + key upper-cased, '.' and '-' as '_'). Every key must be one the
 * defaults file names, so a typo is an error rather than a silently ignored setting.
 */
public final class ConfigLoader {
    static final String DEFAULTS_NAME = "cmis-platform.properties";
    /** The config file when no --config is given (the .deb's env file names /etc/cmis-platform's). */
    public static final String CONFIG_FILE_VARIABLE = "CMIS_CONFIG";
    private static final Set<String> NON_KEY_VARIABLES = Set.of("CMIS_HOME", "CMIS_JAVA_OPTS", CONFIG_FILE_VARIABLE,
            "CMIS_ENV_FILE");

    private final Map<String, String> environment;
    private final Path home;

    /** @param home the installation directory whose {@code config/} holds the defaults, or null to use the packaged copy */
    public ConfigLoader(Map<String, String> environment, Path home) {
        this.environment = environment;
        this.home = home;
    }

    public AppConfig load(Path configFile) {
        Map<String, ConfigValue> values = new LinkedHashMap<>();
        readDefaults().forEach((k, v) -> values.put(k, new ConfigValue(k, v, ConfigValue.Source.DEFAULT)));
        if (configFile != null) {
            readFile(configFile).forEach((k, v) -> {
                if (!values.containsKey(k)) {
                    throw new ConfigException("unknown key '" + k + "' in " + configFile + suggestion(k, values.keySet()));
                }
                values.put(k, new ConfigValue(k, v, ConfigValue.Source.FILE));
            });
        }
        for (String key : List.copyOf(values.keySet())) {
            String value = environment.get(environmentName(key));
            if (value != null) {
                values.put(key, new ConfigValue(key, value.trim(), ConfigValue.Source.ENVIRONMENT));
            }
        }
        return AppConfig.from(values, unknownVariables(values.keySet()));
    }

    /** {@code meta.graph-url} → {@code CMIS_META_GRAPH_URL}. */
    public static String environmentName(String key) {
        return "CMIS_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private List<String> unknownVariables(Set<String> keys) {
        Set<String> known = new java.util.HashSet<>(NON_KEY_VARIABLES);
        keys.forEach(k -> known.add(environmentName(k)));
        List<String> unknown = new ArrayList<>();
        environment.keySet().stream().filter(n -> n.startsWith("CMIS_") && !known.contains(n)).sorted()
                .forEach(unknown::add);
        return unknown;
    }

    private Map<String, String> readDefaults() {
        if (home != null) {
            Path onDisk = home.resolve("config").resolve(DEFAULTS_NAME);
            if (Files.isRegularFile(onDisk)) {
                return readFile(onDisk);
            }
        }
        try (InputStream in = ConfigLoader.class.getResourceAsStream("/" + DEFAULTS_NAME)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULTS_NAME + " is missing from the jar; rebuild it");
            }
            return parse(new java.io.InputStreamReader(in, StandardCharsets.UTF_8), DEFAULTS_NAME);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the packaged " + DEFAULTS_NAME, e);
        }
    }

    private static Map<String, String> readFile(Path file) {
        if (!Files.exists(file)) {
            throw new ConfigException("config file " + file + " does not exist; pass an existing file to --config");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigException("config file " + file + " is not a readable file");
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(reader, file.toString());
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ConfigException("config file " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    private static Map<String, String> parse(Reader reader, String name) throws IOException {
        Map<String, String> ordered = new LinkedHashMap<>();
        Properties properties = new Properties() {
            @Override
            public synchronized Object put(Object key, Object value) {
                ordered.put(((String) key).trim(), ((String) value).trim());
                return super.put(key, value);
            }
        };
        try {
            properties.load(reader);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("config file " + name + " does not parse as key=value lines: " + e.getMessage());
        }
        for (String key : ordered.keySet()) {
            if (key.isEmpty() || key.contains(" ")) {
                throw new ConfigException("config file " + name + " has a line without a valid key ('" + key
                        + "'); write key=value");
            }
        }
        return ordered;
    }

    static String suggestion(String key, Set<String> known) {
        Optional<String> closest = known.stream()
                .min(java.util.Comparator.comparingInt(k -> distance(k, key)));
        return closest.filter(k -> distance(k, key) <= 3).map(k -> " (did you mean '" + k + "'?)")
                .orElse("; 'cmis-platform config show' lists the known keys");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
