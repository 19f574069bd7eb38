namespace GitpleLive.Server.Endpoints;

/// <summary>A send request: JSON <c>{ type: "text", content, meta? }</c> or multipart with a <c>file</c> part (PROTOCOL §5.4).</summary>
public sealed record MessageInput(string? SenderId, string? Content, MessageService.FileUpload? File, Dictionary<string, string>? Meta)
{
    /// <summary>PROTOCOL §10: <c>parent_message_id</c> and <c>mentioned_user_ids</c> (a JSON array; in a form, its JSON text).</summary>
    public SendExtras? Extras { get; init; }

    public static async Task<MessageInput> ReadAsync(HttpContext http, bool senderField)
    {
        if (http.Request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await http.Request.ReadFormAsync(http.RequestAborted);
            }
            catch (IOException e) when (e is not BadHttpRequestException && !http.RequestAborted.IsCancellationRequested)
            {
                // A truncated body (no closing boundary) surfaces as an IOException, not InvalidDataException.
                // BadHttpRequestException is an IOException too (body too large: 413/1012); the error
                // middleware answers it.
                throw ApiException.BadRequest($"malformed multipart body: {e.Message}");
            }
            var type = form["type"].ToString();
            if (type != "file") throw ApiException.BadRequest("type must be \"file\" for a multipart message");
            var file = form.Files.GetFile("file") ?? throw ApiException.BadRequest("file part is required");
            // Android sends the full device path as the file name: keep only the base name (either separator).
            var name = file.FileName[(file.FileName.LastIndexOfAny(['/', '\\']) + 1)..].Trim();
            if (string.IsNullOrWhiteSpace(name)) name = "file";
            if (name.Length > 255) throw ApiException.BadRequest("file name must be at most 255 characters");
            Dictionary<string, string>? meta = null;
            if (form["meta"].ToString() is { Length: > 0 } metaJson)
                meta = JsonBody.ParseMeta("meta", metaJson);
            string? sender = null;
            if (senderField)
            {
                sender = form["user_id"].ToString();
                if (sender.Length == 0) throw ApiException.BadRequest("user_id is required");
                Ids.Check("user_id", sender);
            }
            var contentType = file.ContentType;
            if (FileTypes.IsUnspecific(contentType))
            {
                var head = new byte[16];
                await using var peek = file.OpenReadStream();
                var n = await peek.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, http.RequestAborted);
                contentType = FileTypes.Detect(name, head.AsSpan(0, n));
            }
            return new MessageInput(sender, null, new MessageService.FileUpload(file.OpenReadStream(), name, contentType), meta)
            {
                Extras = FormExtras(form),
            };
        }
        var body = await http.BodyAsync();
        var kind = body.OptionalString("type", 8) ?? "text";
        if (kind != "text")
            throw ApiException.BadRequest(kind == "file"
                ? "file messages must be sent as multipart/form-data"
                : "type must be \"text\" or \"file\"");
        var content = body.RequiredString("content", Limits.ContentLength);
        return new MessageInput(senderField ? body.RequiredId("user_id") : null, content, null, body.OptionalMeta("meta"))
        {
            Extras = ReadExtras(body),
        };
    }

    private static SendExtras? ReadExtras(JsonBody body) => SendExtras.Of(
        body.OptionalLong("parent_message_id", 1, (1L << 53) - 1),
        body.OptionalIdList("mentioned_user_ids", Storage.Limits.MaxMentions, jsonText: true));

    /// <summary>The form's extras, read as the JSON body's: <c>parent_message_id</c> digits, <c>mentioned_user_ids</c> JSON text.</summary>
    private static SendExtras? FormExtras(IFormCollection form)
    {
        var json = new System.Text.Json.Nodes.JsonObject();
        if (form["parent_message_id"].ToString() is { Length: > 0 } parent)
            json["parent_message_id"] = long.TryParse(parent, System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : parent;
        if (form["mentioned_user_ids"].ToString() is { Length: > 0 } mentions) json["mentioned_user_ids"] = mentions;
        return json.Count == 0 ? null : ReadExtras(JsonBody.Parse(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString())));
    }
}
