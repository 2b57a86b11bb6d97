using System.ComponentModel;
using System.Globalization;
using AuditService.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AuditService.Integrity;

/// <summary>A checkpoint as the API shows it: what a third party keeps.</summary>
/// <param name="Number">Its number, in order of writing.</param>
/// <param name="Kind"><c>interval</c> or <c>cut</c>.</param>
/// <param name="Position">The chain position it signs.</param>
/// <param name="Hash">The link at that position, hex.</param>
/// <param name="CreatedAt">When it was signed.</param>
/// <param name="KeyId">Which key signed it.</param>
/// <param name="Statement">The exact text signed.</param>
/// <param name="Signature">ECDSA P-256 SHA-256 signature of the statement's UTF-8 bytes, DER, base64.</param>
public sealed record CheckpointResponse(long Number, string Kind, long Position, string Hash, DateTimeOffset CreatedAt, string KeyId, string Statement, string Signature)
{
    /// <summary>Projects a stored checkpoint.</summary>
    public static CheckpointResponse From(Checkpoint c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Number, c.Kind, c.Position, Convert.ToHexStringLower(c.Hash), c.CreatedAt, c.KeyId, c.Statement, Convert.ToBase64String(c.Signature));
    }
}

/// <summary>A page of checkpoints, oldest first, and the cursor of the next page.</summary>
public sealed record CheckpointPage(IReadOnlyList<CheckpointResponse> Items, string? NextCursor);

/// <summary>The key checkpoints are signed with, to verify them offline.</summary>
/// <param name="KeyId">The key's id, as checkpoints name it.</param>
/// <param name="Algorithm">The signature algorithm.</param>
/// <param name="PublicKeyPem">The public key, PEM (SubjectPublicKeyInfo).</param>
public sealed record CheckpointKeyResponse(string KeyId, string Algorithm, string PublicKeyPem);

/// <summary>
/// <c>GET /v1/audit-events/verify</c> and <c>/v1/audit-events/checkpoints</c>: the chain checked
/// end to end, and the signed checkpoints a third party keeps. Read keys only.
/// </summary>
public static class IntegrityApi
{
    private const int MaxPageSize = 500;

    /// <summary>Maps the endpoints.</summary>
    public static RouteGroupBuilder MapIntegrityApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapReadGroup("Integrity");
        group.MapGet("/verify", VerifyAsync).WithName("VerifyAuditChain")
            .WithSummary("Recomputes the hash chain over a range of positions and reports what does not match").ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/checkpoints", ListAsync).WithName("ListCheckpoints").WithSummary("The chain's signed checkpoints, in order").ProducesProblem(StatusCodes.Status400BadRequest)
            .WithReadLimit();
        group.MapGet("/checkpoints/{number:long}", GetAsync).WithName("GetCheckpoint").WithSummary("One signed checkpoint, by its number")
            .ProducesProblem(StatusCodes.Status404NotFound).WithReadLimit();
        // The key is in memory: nothing to bound.
        group.MapGet("/checkpoints/public-key", (CheckpointSigner signer) =>
            TypedResults.Ok(new CheckpointKeyResponse(signer.KeyId, "ECDSA P-256 SHA-256 (DER signature)", signer.PublicKeyPem))).WithName("GetCheckpointKey")
            .WithSummary("The public key that verifies the checkpoints' signatures");
        return group;
    }

    private static async Task<Results<Ok<ChainVerification>, ProblemHttpResult>> VerifyAsync(
        [Description("First position (from 1); by default the first after the last retention cut.")] string? from,
        [Description("Last position; by default the chain's head. A range past the last row is empty: nothing is checked in it.")] string? to,
        ChainVerifier verifier, ExportSlots slots, HttpResponse response, CancellationToken cancellationToken)
    {
        if (!TryPosition(from, out var start))
        {
            return Problem("from", "from must be a chain position (a whole number from 1).");
        }

        if (!TryPosition(to, out var end))
        {
            return Problem("to", "to must be a chain position (a whole number from 1).");
        }

        if (start > end)
        {
            return Problem("from", "from must not be after to.");
        }

        using var slot = slots.TryTake();
        if (slot is null)
        {
            return ExportSlots.Busy(response);
        }

        return TypedResults.Ok(await verifier.VerifyAsync(start, end, cancellationToken));
    }

    private static async Task<Results<Ok<CheckpointPage>, ProblemHttpResult>> ListAsync(
        [Description(PageRequest.CursorDescription)] string? cursor, [Description("Page size, 1 to 500; 100 by default.")] string? limit, CheckpointStore store, CancellationToken cancellationToken)
    {
        if (PageRequest.TryParse(cursor, limit, 100, MaxPageSize, out var page) is { } badPage)
        {
            return badPage;
        }

        var checkpoints = await store.ListAsync(page.Cursor ?? 0, page.Limit + 1, cancellationToken);
        var items = checkpoints.Take(page.Limit).Select(CheckpointResponse.From).ToList();
        return TypedResults.Ok(new CheckpointPage(items, checkpoints.Count > page.Limit ? items[^1].Number.ToString(CultureInfo.InvariantCulture) : null));
    }

    private static async Task<Results<Ok<CheckpointResponse>, ProblemHttpResult>> GetAsync(
        [Description("The checkpoint's number.")] long number, CheckpointStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(number, cancellationToken) is { } checkpoint
            ? TypedResults.Ok(CheckpointResponse.From(checkpoint))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Checkpoint not found", detail: $"There is no checkpoint {number}.");

    private static bool TryPosition(string? text, out long? position)
    {
        position = null;
        if (text is null)
        {
            return true;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
        {
            return false;
        }

        position = value;
        return true;
    }

    private static ProblemHttpResult Problem(string parameter, string detail) => ParameterProblem.For(parameter, detail);
}
