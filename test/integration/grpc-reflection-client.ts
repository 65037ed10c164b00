import { Client, credentials } from '@grpc/grpc-js';
import { parse, type Type } from 'protobufjs';
import { FileDescriptorProto } from 'protobufjs/ext/descriptor';

/**
 * A minimal grpc.reflection.v1 client, written from the public reflection.proto rather than
 * taken from the server's package, so the test checks the wire protocol grpcurl speaks.
 */
const REFLECTION_PROTO = `
syntax = "proto3";
package grpc.reflection.v1;
message ServerReflectionRequest {
  string host = 1;
  oneof message_request {
    string file_by_filename = 3;
    string file_containing_symbol = 4;
    string list_services = 7;
  }
}
message ServerReflectionResponse {
  string valid_host = 1;
  ServerReflectionRequest original_request = 2;
  oneof message_response {
    FileDescriptorResponse file_descriptor_response = 4;
    ListServiceResponse list_services_response = 6;
    ErrorResponse error_response = 7;
  }
}
message FileDescriptorResponse { repeated bytes file_descriptor_proto = 1; }
message ListServiceResponse { repeated ServiceResponse service = 1; }
message ServiceResponse { string name = 1; }
message ErrorResponse { int32 error_code = 1; string error_message = 2; }
`;

const root = parse(REFLECTION_PROTO).root;
const RequestType: Type = root.lookupType('grpc.reflection.v1.ServerReflectionRequest');
const ResponseType: Type = root.lookupType('grpc.reflection.v1.ServerReflectionResponse');

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Uint8Array[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

/** One described file: its name, package, and services with their method names. */
export interface DescribedFile {
  name: string;
  package: string;
  services: { name: string; methods: string[] }[];
}

async function ask(address: string, request: Record<string, string>): Promise<ReflectionResponse> {
  const client = new Client(address, credentials.createInsecure());
  try {
    return await new Promise<ReflectionResponse>((resolve, reject) => {
      const call = client.makeBidiStreamRequest(
        '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
        (msg: Record<string, string>) => Buffer.from(RequestType.encode(RequestType.fromObject(msg)).finish()),
        (bytes: Buffer) => ResponseType.toObject(ResponseType.decode(bytes), { defaults: false }) as ReflectionResponse,
      );
      call.on('data', (response: ReflectionResponse) => {
        resolve(response);
        call.end();
      });
      call.on('error', reject);
      call.write(request);
    });
  } finally {
    client.close();
  }
}

export async function listServices(address: string): Promise<string[]> {
  const response = await ask(address, { listServices: '' });
  return (response.listServicesResponse?.service ?? []).map((s) => s.name).sort();
}

/** What `grpcurl describe <symbol>` starts from: the file declaring the symbol. */
export async function fileContainingSymbol(address: string, symbol: string): Promise<DescribedFile> {
  const response = await ask(address, { fileContainingSymbol: symbol });
  const bytes = response.fileDescriptorResponse?.fileDescriptorProto[0];
  if (bytes === undefined) throw new Error(`reflection: ${JSON.stringify(response.errorResponse)}`);
  const file = FileDescriptorProto.toObject(FileDescriptorProto.decode(bytes)) as {
    name: string;
    package: string;
    service?: { name: string; method?: { name: string }[] }[];
  };
  return {
    name: file.name,
    package: file.package,
    services: (file.service ?? []).map((s) => ({ name: s.name, methods: (s.method ?? []).map((m) => m.name) })),
  };
}
