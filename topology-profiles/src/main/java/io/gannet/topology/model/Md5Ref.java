package io.gannet.topology.model;

import io.gannet.topology.config.Md5Secret;
import io.gannet.topology.yaml.Location;

/** An MD5 password reference as written: {@code {env: NAME}} or {@code {file: PATH}}. */
public record Md5Ref(Md5Secret.Source source, String reference, Location at) {}
