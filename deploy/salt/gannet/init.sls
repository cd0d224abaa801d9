# Salt state: Gannet on a host, from the release tarball, configured from pillar.
# Pillar (see pillar.example): gannet:version, gannet:tarball_source, gannet:tarball_hash,
# gannet:profile (the fabric's profile text, the same on every host), gannet:metrics.
# The node name is this minion's id unless gannet:node overrides it.
{% set g = salt['pillar.get']('gannet', {}) %}
{% set version = g.get('version', '0.1.0-SNAPSHOT') %}
{% set node = g.get('node', grains['id']) %}

gannet-packages:
  pkg.installed:
    - pkgs: [iproute2]

gannet-release:
  archive.extracted:
    - name: /opt
    - source: {{ g.get('tarball_source') }}
    - source_hash: {{ g.get('tarball_hash') }}
    - if_missing: /opt/gannet-{{ version }}

/opt/gannet:
  file.symlink:
    - target: /opt/gannet-{{ version }}
    - force: true
    - require: [{archive: gannet-release}]

/etc/gannet/profile.yaml:
  file.managed:
    - contents_pillar: gannet:profile
    - mode: '0640'
    - makedirs: true

# `gannet profile check` refuses a broken profile before the daemon ever sees it.
gannet-profile-check:
  cmd.run:
    - name: /opt/gannet/gannet profile check /etc/gannet/profile.yaml
    - env: [{GANNET_SKIP_BUILD: '1'}]
    - onchanges: [{file: /etc/gannet/profile.yaml}]
    - require: [{file: /opt/gannet}]

/etc/gannet/gannet.env:
  file.managed:
    - mode: '0640'
    - contents: |
        GANNET_NODE={{ node }}
        GANNET_PROFILE=/etc/gannet/profile.yaml
        GANNET_METRICS={{ g.get('metrics', '127.0.0.1:9324') }}
        GANNET_ARGS={{ g.get('args', '') }}

/etc/systemd/system/gannet.service:
  file.symlink:
    - target: /opt/gannet/deploy/systemd/gannet.service
    - force: true

gannet:
  service.running:
    - enable: true
    - require:
      - file: /etc/systemd/system/gannet.service
      - cmd: gannet-profile-check
    - watch:
      - file: /etc/gannet/gannet.env
  # A profile change is applied by a reload (SIGHUP), never by a restart: sessions whose
  # parameters did not change are left alone.
  cmd.run:
    - name: systemctl reload gannet
    - onchanges: [{file: /etc/gannet/profile.yaml}]
    - require: [{cmd: gannet-profile-check}]
