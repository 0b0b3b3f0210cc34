"""Decodes one Confluent-framed Avro record (hex on stdin) the way any Python consumer would:
magic byte, 4-byte schema id, writer schema fetched from the registry by id, body read with fastavro.
Prints the value as JSON (logical types rendered as strings)."""
import io
import json
import struct
import sys
import urllib.request

import fastavro


def main() -> None:
    registry_url = sys.argv[1].rstrip("/")
    data = bytes.fromhex(sys.stdin.read().strip())
    magic, schema_id = struct.unpack(">bI", data[:5])
    if magic != 0:
        raise SystemExit(f"not the Confluent wire format: magic byte {magic}")
    with urllib.request.urlopen(f"{registry_url}/schemas/ids/{schema_id}", timeout=10) as response:
        schema = json.loads(json.loads(response.read())["schema"])
    value = fastavro.schemaless_reader(io.BytesIO(data[5:]), fastavro.parse_schema(schema))
    print(json.dumps({"schemaId": schema_id, "value": value}, default=str))


if __name__ == "__main__":
    main()
