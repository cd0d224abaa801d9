base:
  'G@roles:gannet':
    - match: compound
    - gannet
