using Microsoft.Extensions.Options;

namespace NongThonMoi.Infrastructure.Telemetry;

/// <summary>Section <c>Telemetry</c>: where traces go, if anywhere. Metrics need no setting: they are always at <c>/metrics</c>.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>
    /// An OpenTelemetry collector (OTLP) that receives a trace of every request and the SQL it ran, e.g.
    /// <c>http://127.0.0.1:4317</c> (gRPC) or <c>http://127.0.0.1:4318/v1/traces</c> with <see cref="OtlpProtocol"/>
    /// <c>http/protobuf</c>. Empty: no tracing at all (nothing is collected or sent).
    /// </summary>
    public string OtlpEndpoint { get; set; } = "";

    /// <summary><c>grpc</c> or <c>http/protobuf</c>, the two OTLP transports; the names are those of OTEL_EXPORTER_OTLP_PROTOCOL.</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>The endpoint as an absolute http(s) address, or null when tracing is off or the value is not one.</summary>
    public static Uri? Endpoint(string? value) =>
        !string.IsNullOrWhiteSpace(value) && Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;
}

internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions o)
    {
        if (!string.IsNullOrWhiteSpace(o.OtlpEndpoint) && TelemetryOptions.Endpoint(o.OtlpEndpoint) is null)
            return ValidateOptionsResult.Fail($"Telemetry:OtlpEndpoint: \"{o.OtlpEndpoint}\" is not an absolute http(s) address such as http://127.0.0.1:4317; leave it empty to send no traces");
        if (o.OtlpProtocol is not ("grpc" or "http/protobuf"))
            return ValidateOptionsResult.Fail($"Telemetry:OtlpProtocol: \"{o.OtlpProtocol}\" must be grpc or http/protobuf");
        return ValidateOptionsResult.Success;
    }
}
