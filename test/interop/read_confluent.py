"""Decodes one Confluent-framed Avro record (hex on stdin) the way any Python consumer would:
magic byte, 4-byte schema id, writer schema fetched from the registry by id, body read with fastavro.
Prints the value as JSON (logical types rendered as strings)."""
import io
import json
import http.client
import struct
import sys
import time
import urllib.error
import urllib.request

import fastavro


def fetch_json(url: str, attempts: int = 4) -> dict:
    """GET with retries on connection-level failures and timeouts, as a consumer's registry client does."""
    for attempt in range(1, attempts + 1):
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return json.loads(response.read())
        except (http.client.RemoteDisconnected, ConnectionError, TimeoutError, urllib.error.URLError) as error:
            if attempt == attempts:
                raise SystemExit(f"registry at {url} failed {attempts} times: {error}")
            time.sleep(0.5 * attempt)
    raise AssertionError("unreachable")


def main() -> None:
    registry_url = sys.argv[1].rstrip("/")
    data = bytes.fromhex(sys.stdin.read().strip())
    magic, schema_id = struct.unpack(">bI", data[:5])
    if magic != 0:
        raise SystemExit(f"not the Confluent wire format: magic byte {magic}")
    schema = json.loads(fetch_json(f"{registry_url}/schemas/ids/{schema_id}")["schema"])
    value = fastavro.schemaless_reader(io.BytesIO(data[5:]), fastavro.parse_schema(schema))
    print(json.dumps({"schemaId": schema_id, "value": value}, default=str))


if __name__ == "__main__":
    main()
