with

source as (

    select * from {{ source('raw', 'van_ban_den') }}

),

renamed as (

    select
        _month as month_date,
        incoming_id,
        document_ref,
        issuer,
        received_date,
        unit_code,
        official_code,
        response_due_date,
        responded_date,
        urgency,
        _file as source_file,
        _line as source_line,
        _file_sha256 as source_file_sha256

    from source

)

select * from renamed
